"""The ``newsarchive`` command's handlers: the edge between the command line and the steps.

Each ``cli_*(args)`` takes the parsed arguments (``newsarchive.cli`` declares them), calls the
steps of :mod:`newsarchive.jobs` (or a domain function), prints what happened and returns the exit
code: 0 ok, 1 a check or step failed, 2 a usage or setup error. Nothing below this package prints
or reads an argparse namespace.

* ``crawl`` – one source's crawl in this process (``spiders``)
* ``extract`` – extraction of a manifest of saved pages
* ``run`` – ``run``, ``stage``, ``reprocess``, ``retry``: the pipeline without Airflow
* ``archive`` – ``publish``, ``compact``, ``verify``, ``migrate``, ``quality``, ``status``
* ``sql`` and ``report`` – for analysts
* ``demo`` – ``make demo``: the whole job on the local replay
"""
