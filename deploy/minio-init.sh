#!/bin/sh
# minio-init (docker-compose one-shot service): the archive's bucket and two MinIO users, each with a
# policy of its own. The only place besides `minio` that has the root credentials. Idempotent: it runs
# at every `docker-compose up` and re-applies users, secrets and policies from .env.
#
#   MINIO_PIPELINE_USER  the pipeline (Airflow workers): reads, writes and deletes objects under the
#                        store's prefix; lists the bucket. Cannot touch object versions, the bucket's
#                        settings or any other bucket.
#   MINIO_ANALYST_USER   analysts: read and list only.
#
# The bucket and prefix are NEWSARCHIVE_STORE's (s3://<bucket>/<prefix>), the same value the workers get.
set -eu
: "${MINIO_ROOT_USER:?minio-init: MINIO_ROOT_USER is not set}"
: "${MINIO_ROOT_PASSWORD:?minio-init: MINIO_ROOT_PASSWORD is not set}"
: "${MINIO_PIPELINE_USER:?minio-init: MINIO_PIPELINE_USER is not set}"
: "${MINIO_PIPELINE_PASSWORD:?minio-init: MINIO_PIPELINE_PASSWORD is not set}"
: "${MINIO_ANALYST_USER:?minio-init: MINIO_ANALYST_USER is not set}"
: "${MINIO_ANALYST_PASSWORD:?minio-init: MINIO_ANALYST_PASSWORD is not set}"
: "${NEWSARCHIVE_STORE:?minio-init: NEWSARCHIVE_STORE is not set}"
MINIO_URL=${MINIO_URL:-http://minio:9000}

fail() { echo "minio-init: $*" >&2; exit 2; }
case $NEWSARCHIVE_STORE in
  s3://?*) ;;
  *) fail "NEWSARCHIVE_STORE must be s3://<bucket>/<prefix>, got '$NEWSARCHIVE_STORE'" ;;
esac
path=${NEWSARCHIVE_STORE#s3://}
path=${path%/}
bucket=${path%%/*}
case $path in
  */*) prefix=${path#*/} ;;
  *) prefix= ;;
esac
objects="arn:aws:s3:::$bucket/${prefix:+$prefix/}*"

[ "$MINIO_PIPELINE_USER" != "$MINIO_ANALYST_USER" ] || fail "MINIO_PIPELINE_USER and MINIO_ANALYST_USER must differ"
for u in "$MINIO_PIPELINE_USER" "$MINIO_ANALYST_USER"; do
  [ "$u" != "$MINIO_ROOT_USER" ] || fail "the pipeline and analyst users must not be MINIO_ROOT_USER"
done
for p in "$MINIO_PIPELINE_PASSWORD" "$MINIO_ANALYST_PASSWORD"; do
  [ ${#p} -ge 8 ] || fail "MinIO secret keys need at least 8 characters (MINIO_PIPELINE_PASSWORD, MINIO_ANALYST_PASSWORD)"
done

mc alias set local "$MINIO_URL" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null
mc mb --ignore-existing "local/$bucket"
mc version enable "local/$bucket"

policies=$(mktemp -d)
trap 'rm -rf "$policies"' EXIT
cat > "$policies/pipeline.json" <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow",
     "Action": ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
     "Resource": ["arn:aws:s3:::$bucket"]},
    {"Effect": "Allow",
     "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject",
                "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
     "Resource": ["$objects"]}
  ]
}
JSON
cat > "$policies/analyst.json" <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow",
     "Action": ["s3:GetBucketLocation", "s3:ListBucket"],
     "Resource": ["arn:aws:s3:::$bucket"]},
    {"Effect": "Allow",
     "Action": ["s3:GetObject"],
     "Resource": ["$objects"]}
  ]
}
JSON
mc admin policy create local newsarchive-pipeline "$policies/pipeline.json"
mc admin policy create local newsarchive-analyst "$policies/analyst.json"
# `user add` sets the secret key of an existing user too; `policy attach` is a no-op when attached.
mc admin user add local "$MINIO_PIPELINE_USER" "$MINIO_PIPELINE_PASSWORD" >/dev/null
mc admin user add local "$MINIO_ANALYST_USER" "$MINIO_ANALYST_PASSWORD" >/dev/null
mc admin policy attach local newsarchive-pipeline --user "$MINIO_PIPELINE_USER"
mc admin policy attach local newsarchive-analyst --user "$MINIO_ANALYST_USER"
echo "minio-init: bucket $bucket (versioned); $MINIO_PIPELINE_USER reads and writes $objects, $MINIO_ANALYST_USER reads it"
