"""Secrets never reach a message: an S3 secret with quotes works and is redacted from every error."""
from __future__ import annotations

import duckdb
import pytest

from newsarchive.duck import connect, redact, s3_secret_sql
from pipelines.storage import S3Settings, Store

SECRET = "se'cr\"et-Ab12 ''--"


def test_an_s3_secret_with_quotes_is_escaped_not_broken(s3_env, tmp_path):
    store = Store("s3://secret-test-bucket/archive", s3=S3Settings(
        endpoint=s3_env["NEWSARCHIVE_S3_ENDPOINT"], access_key="testing", secret_key=SECRET))
    sql = s3_secret_sql(store)
    assert "se''cr\"et-Ab12 ''''--" in sql                       # one literal, quotes doubled
    con = connect(store)                                          # the secret is accepted as is
    with pytest.raises(duckdb.Error) as err:
        con.execute("SELECT * FROM read_parquet('s3://secret-test-bucket/nothing-here.parquet')").fetchall()
    assert SECRET not in str(err.value) and SECRET not in redact(str(err.value), store)


def test_redact_removes_known_secrets_and_credential_words(monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "very-secret-value")
    msg = ("CREATE SECRET x (TYPE s3, KEY_ID 'k', SECRET 'very-secret-value') failed; "
           "postgres:dbname=c host=h password=hunter22 user=u")
    out = redact(msg)
    assert "very-secret-value" not in out and "hunter22" not in out and "password=***" in out


def test_cli_errors_are_redacted(monkeypatch, tmp_path, capsys):
    from newsarchive.cli import main
    monkeypatch.setenv("NEWSARCHIVE_CATALOG", "postgres:dbname=nope host=127.0.0.1 port=1 user=x password=hunter22")
    code = main(["sql", "SELECT 1", "--store", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "hunter22" not in err and "cannot open the catalog" in err
