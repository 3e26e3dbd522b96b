"""When the data outgrow pandas: count record-level rows where the data live, bring back the small table.

Every other equity_lib function takes a pandas DataFrame of aggregates: counts and denominators by period,
organisation and group (what :func:`~equity_lib.spc`, :func:`~equity_lib.rates.proportion`,
:func:`~equity_lib.rates.dsr`, :func:`~equity_lib.inequality.sii` and :func:`~equity_lib.gaps.group_gap`
take). National waiting-list and outpatient extracts are tens to hundreds of millions of records, held in
Parquet files, a SQL warehouse or a Spark platform. :func:`aggregate` is the one step between the two:
written once, as an `Ibis <https://ibis-project.org>`_ expression, and run by the engine that holds the
data: DuckDB (embedded, no server: the default), Spark, or any other Ibis backend (Postgres, BigQuery,
Snowflake, Trino ...). Only the aggregate table leaves the engine: aggregate where the data live, then
suppress (:func:`equity_lib.disclosure.suppress`) before anything is published.

Install the extra: ``pip install 'equity_lib[scale]'`` (Ibis with its DuckDB backend, DuckDB and pyarrow);
``pip install 'equity_lib[scale,spark]'`` adds Ibis's PySpark backend and PySpark (Spark needs Java 17 or
newer: Debian's ``default-jre-headless``). ``import equity_lib`` never imports them.

Why Ibis: one expression is compiled to each engine's own SQL (through sqlglot) and run there, so the
counting is written and tested once and runs unchanged on a laptop's Parquet files and on a cluster; the
engines do the work (DuckDB streams Parquet through all cores in bounded memory, Spark distributes it) and
Ibis adds about a millisecond of compilation (``make bench``: end to end within a few per cent of DuckDB's
own bare ``GROUP BY``). The alternatives each miss a part: SQL strings differ between dialects (date
truncation, summing true/false, quoting), so one string would not run on both; pandas, Polars and the
pandas API on Spark each run on one engine; Narwhals also reaches DuckDB and PySpark, but wraps data frames
a caller already holds rather than connecting to a warehouse. Ibis is open source (Apache 2.0) and
actively maintained; pinned here at 12.0.0.

The same code on a cluster (only the connection changes)::

    import equity_lib.scale as scale

    con = scale.connect()                                   # DuckDB in this process (the default)
    con = scale.connect("spark")                            # the SparkSession already running (Databricks,
                                                            # Synapse, Fabric, EMR: ``spark`` in a notebook)
    con = scale.connect("spark", spark=spark)               # or one you made: SparkSession.builder
                                                            #   .master("spark://host:7077").getOrCreate()
    con = scale.connect("postgres", host="warehouse", database="nhs", user="analyst")   # any Ibis backend:
    con = scale.connect("snowflake", account=..., user=..., database="NHS/PUBLIC")      # its connect()'s
    con = scale.connect("bigquery", project_id="my-project", dataset_id="nhs")           # own settings

    waits = con.table("waiting_list")                       # a table in the warehouse, or
    waits = scale.read("s3://bucket/waiting_list/*.parquet", connection=con)   # Parquet files it can reach
    table = scale.aggregate(waits, time="month", by="trust_code", group="imd_quintile",
                            numerator={"over_52_weeks": waits.weeks_waited >= 52})

``table`` is a small pandas DataFrame (one row per trust x quintile x month), ready for
``spc(table, time="month", numerator="over_52_weeks", denominator="denominator", chart="pp",
by=["trust_code", "imd_quintile"])`` (Laney's p': on thousands of pathways a month the points vary more
than binomial chance). On Spark, :func:`spark_session` starts a local-mode session for a
laptop or CI; on a cluster the platform's session is used and nothing else changes.

:mod:`equity_lib.scale.extract` writes a synthetic record-level extract of any size (``make data-large``):
the collaborative's waiting list and outpatient appointments, one record for each pathway or appointment
counted in ``datasets/``, so that :func:`aggregate` on it gives back the committed tables exactly.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["aggregate", "aggregation", "connect", "read", "spark_session", "ENGINES", "PERIODS"]

EXTRA = "scale"
# Engines named here are tested (DuckDB, Spark); any other Ibis backend's name is passed to Ibis.
ENGINES = ("duckdb", "spark")
_ALIASES = {"pyspark": "spark"}
# period -> Ibis truncation unit (DuckDB's and Spark's date_trunc: a week starts on Monday).
PERIODS = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}
DENOMINATOR = "denominator"


def _require(module: str, extra: str = EXTRA):
    """Import an optional dependency, or say which extra installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f"equity_lib.scale needs {module.split('.')[0]}, which is not installed. Fix: "
            f"pip install 'equity_lib[{extra}]'"
            + (" (Spark also needs Java 17 or newer: apt-get install default-jre-headless)"
               if extra == "spark" else "")
            + f", or with a checkout: make install. ({error})"
        ) from error


def _ibis():
    return _require("ibis")


def spark_session(cores: int | None = None, memory: str = "1g", **config: str):
    """A Spark session in local mode on this machine, quiet and sized for a laptop or CI.

    ``cores`` defaults to all of this machine's; ``memory`` is the driver's heap (local mode runs
    everything in the driver). Further ``config`` entries are Spark settings, given in a dict because
    their names have dots: ``spark_session(**{"spark.sql.shuffle.partitions": "8"})``. On a
    cluster do not call this: use the platform's session (``connect("spark")`` finds it).
    """
    pyspark_sql = _require("pyspark.sql", "spark")
    cores = cores or os.cpu_count() or 1
    builder = (
        pyspark_sql.SparkSession.builder.master(f"local[{cores}]")
        .appName("equity_lib.scale")
        .config("spark.driver.memory", memory)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(max(2, cores * 2)))
        .config("spark.sql.session.timeZone", "UTC")
    )
    for key, value in config.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def connect(engine: str = "duckdb", *, spark=None, **options):
    """A connection to the engine that holds (or will read) the data: an Ibis backend.

    ``engine``: ``"duckdb"`` (default: embedded, in this process; ``options`` go to
    ``ibis.duckdb.connect``, e.g. ``database="nhs.duckdb"``, ``threads=4``, ``memory_limit="2GB"``),
    ``"spark"`` (``spark``: a SparkSession, else the active one, else :func:`spark_session`'s local one),
    or the name of any other Ibis backend (``"postgres"``, ``"bigquery"``, ``"snowflake"``, ``"trino"``,
    ``"databricks"`` ...) with that backend's own connection settings as ``options``. An object that is
    already an Ibis backend is returned as it is.
    """
    ibis = _ibis()
    if not isinstance(engine, str):
        if isinstance(engine, ibis.BaseBackend):
            return engine
        raise TypeError(f"engine must be a name such as 'duckdb' or 'spark', not {type(engine).__name__}.")
    name = _ALIASES.get(engine.lower(), engine.lower())
    if name == "spark":
        _require("pyspark", "spark")
        from pyspark.sql import SparkSession

        session = spark or SparkSession.getActiveSession() or spark_session()
        return ibis.pyspark.connect(session, **options)
    if spark is not None:
        raise ValueError(f"spark= is a SparkSession for engine='spark', not for engine={engine!r}.")
    try:
        backend = getattr(ibis, name)
    except (AttributeError, ImportError) as error:
        raise ValueError(
            f"unknown engine {engine!r}. Fix: use 'duckdb' (the default, embedded), 'spark', or the name of "
            "an installed Ibis backend such as 'postgres' or 'bigquery' (pip install 'ibis-framework["
            f"postgres]'). ({error})"
        ) from None
    if not hasattr(backend, "connect"):
        raise ValueError(f"unknown engine {engine!r}: ibis.{name} is not a backend. Fix: use 'duckdb' or "
                         "'spark'.")
    return backend.connect(**options)


def read(source, *, connection=None):
    """The record-level table as an Ibis table, without reading it into memory.

    ``source``: an Ibis table (returned as it is); a Parquet file, a folder of Parquet files (read
    recursively) or a glob (``"extract/waiting_list/*.parquet"``), read by ``connection`` (default: a new
    DuckDB connection); or a pandas DataFrame (wrapped, for small data and tests).
    """
    ibis = _ibis()
    if isinstance(source, ibis.expr.types.Table):
        return source
    if isinstance(source, pd.DataFrame):
        # through Arrow: Ibis's own pandas conversion reads an option that pandas 3.1 deprecates
        arrow = _require("pyarrow").Table.from_pandas(source, preserve_index=False)
        if connection is None:
            return ibis.memtable(arrow)
        return connect(connection).create_table(f"equity_lib_{id(source)}", arrow, temp=True, overwrite=True)
    if isinstance(source, (str, os.PathLike)):
        connection = connect() if connection is None else connect(connection)
        path = str(source)
        if "://" not in path and not any(c in path for c in "*?["):
            local = Path(path)
            if local.is_dir():
                if not any(local.rglob("*.parquet")):
                    raise FileNotFoundError(f"no .parquet file in the folder {path}. Fix: write the extract "
                                            "first (make data-large), or give the right folder.")
                path = str(local / "**" / "*.parquet") if connection.name == "duckdb" else str(local)
            elif not local.exists():
                raise FileNotFoundError(f"no such file or folder: {path}. Fix: write the extract first "
                                        "(make data-large), or give the right path.")
        return connection.read_parquet(path)
    raise TypeError(
        f"data must be an Ibis table, a path to Parquet files or a pandas DataFrame, not "
        f"{type(source).__name__}. Fix: scale.read('extract/waiting_list') or "
        "connection.table('waiting_list')."
    )


def _names(value, role: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        if len(set(value)) != len(value):
            raise ValueError(f"{role} names a column twice: {list(value)}.")
        return list(value)
    raise TypeError(f"{role} must be a column name or a list of column names, not {value!r}.")


def _check_columns(table, columns: Mapping[str, str]) -> None:
    present = set(table.columns)
    for column, role in columns.items():
        if column not in present:
            shown = ", ".join(table.columns[:12]) + (" ..." if len(table.columns) > 12 else "")
            raise KeyError(
                f"{role}={column!r}: the table has no column {column!r} (its columns: {shown}). "
                "Fix: name one of its columns, or rename the column before aggregating."
            )


def _counted(table, name: str, spec, role: str):
    """One numerator or denominator: a column (summed; true counts 1) or an expression on the table."""
    ibis = _ibis()
    if isinstance(spec, str):
        _check_columns(table, {spec: role})
        expr = table[spec]
        label = f"column {spec!r}"
    elif spec is None or isinstance(spec, (bool, int, float)):
        raise TypeError(f"{role} {name!r} must be a column name or an Ibis expression, not {spec!r}.")
    else:
        # an Ibis expression, a deferred one (ibis._.weeks_waited >= 52) or a function of the table
        try:
            bound = table.bind(spec)
        except Exception as error:
            raise TypeError(f"{role} {name!r}: {spec!r} is not an expression on this table's columns "
                            f"({error}). Fix: e.g. table.weeks_waited >= 52.") from None
        if len(bound) != 1:
            raise TypeError(f"{role} {name!r} gives {len(bound)} columns, not one.")
        expr = bound[0]
        label = f"{role} {name!r}"
    if not isinstance(expr, ibis.expr.types.Column):
        raise TypeError(f"{role} {name!r} is not a column of the table: {type(expr).__name__}. Fix: an "
                        "expression on the table's columns, e.g. table.weeks_waited >= 52.")
    dtype = expr.type()
    if dtype.is_boolean():
        expr = expr.cast("int64")
    elif not (dtype.is_integer() or dtype.is_floating() or dtype.is_decimal()):
        raise TypeError(
            f"{role} {name!r}: {label} is {dtype}, not numbers or true/false. Fix: a 0/1 or true/false "
            f"column (e.g. {{'{name}': table.outcome == 'DNA'}}), or counts to add up."
        )
    return expr


def aggregation(
    data,
    *,
    time: str | None = None,
    numerator: str | Sequence[str] | Mapping[str, Any] | None = None,
    denominator: str | None = None,
    by: str | Sequence[str] | None = None,
    group: str | None = None,
    period: str | None = None,
    connection=None,
):
    """The Ibis expression that :func:`aggregate` runs (lazy: nothing is computed). See :func:`aggregate`.

    Useful to see the SQL each engine runs: ``ibis.to_sql(aggregation(...), dialect="pyspark")``.
    """
    ibis = _ibis()
    table = read(data, connection=connection)
    by_cols, group_cols = _names(by, "by"), _names(group, "group")
    if len(group_cols) > 1:
        raise ValueError(f"group is one column whose categories are compared, not {group_cols}. Fix: put the "
                         "other columns in by.")
    keys = by_cols + group_cols
    _check_columns(table, {c: "by" for c in by_cols} | {c: "group" for c in group_cols}
                   | ({time: "time"} if time else {}))
    if time in keys:
        raise ValueError(f"time={time!r} is also in by or group. Fix: name it once, as time.")

    if numerator is None:
        numerators: dict[str, Any] = {}
    elif isinstance(numerator, Mapping):
        numerators = dict(numerator)
    else:
        numerators = {n: n for n in _names(numerator, "numerator")}
    out_denominator = denominator or DENOMINATOR
    clash = set(numerators) & ({out_denominator} | set(keys) | ({time} if time else set()))
    if clash:
        raise ValueError(f"the output would have two columns called {sorted(clash)}. Fix: give the numerator "
                         "another name (numerator={'new name': ...}).")

    metrics, present = {}, {}
    # The values present in each counted column are counted too (COUNT(x): nearly free beside SUM(x)), so
    # that missing ones are refused rather than silently taken as 0 (aggregate raises, naming the column
    # and the first cell).
    for i, (name, spec) in enumerate(numerators.items()):
        counted = _counted(table, name, spec, "numerator")
        metrics[name] = counted.sum()
        present[f"__present_{i}"] = counted.count()
    if denominator is None:
        metrics[DENOMINATOR] = table.count()
    else:
        counted = _counted(table, denominator, denominator, "denominator")
        metrics[denominator] = counted.sum()
        present[f"__present_{len(numerators)}"] = counted.count()
        present["__rows"] = table.count()

    groups = [table[c] for c in keys]
    if time:
        column = table[time]
        if period is not None:
            if period not in PERIODS:
                raise ValueError(f"period={period!r}: use one of {', '.join(map(repr, PERIODS))} (or None to "
                                 f"keep {time!r} as it is).")
            if not column.type().is_temporal():
                raise TypeError(f"period={period!r} needs time={time!r} to be dates or timestamps, not "
                                f"{column.type()}. Fix: convert it, or leave period out.")
            truncated = column.truncate(PERIODS[period])
            if column.type().is_date():
                # Spark's date_trunc returns a timestamp (midnight in the session's time zone) where Ibis
                # expects a date: an explicit cast (which Ibis would drop as a no-op) keeps it a date.
                truncated = ibis.expr.operations.Cast(truncated.op(), ibis.dtype("date")).to_expr()
            column = truncated
        groups.append(column.name(time))
    elif period is not None:
        raise ValueError("period needs time: the column of dates to put into periods.")
    if not groups:
        raise ValueError("name at least one of time, by or group to aggregate by (else it is one row: use "
                         "table.count()).")
    return table.group_by(groups).aggregate(**metrics, **present)


def aggregate(
    data,
    *,
    time: str | None = None,
    numerator: str | Sequence[str] | Mapping[str, Any] | None = None,
    denominator: str | None = None,
    by: str | Sequence[str] | None = None,
    group: str | None = None,
    period: str | None = None,
    connection=None,
) -> pd.DataFrame:
    """Counts and denominators by period, organisation and group, computed where the records are held.

    One row per value of ``by`` x ``group`` x ``time`` present in the records, with ``numerator`` column(s)
    (each a count of records) and the denominator:

    ``numerator[b, g, t] = sum of x_i`` and ``denominator[b, g, t] = sum of 1`` (or ``sum of w_i``) over
    the records i in that by value b, group g and period t, where record i has outcome ``x_i`` (true = 1,
    false = 0, or a count) and weight ``w_i`` when ``denominator`` names a column. It is SQL's
    ``SELECT by, group, time, SUM(x), COUNT(*) ... GROUP BY``, the table ``spc`` (p and u charts),
    ``proportion``, ``dsr``, ``sii`` and ``group_gap`` take.

    Parameters
    ----------
    data
        The records: an Ibis table on any engine (``connection.table("waiting_list")``), a path to Parquet
        files (read by ``connection``, default an embedded DuckDB), or a pandas DataFrame.
    time
        The column of periods (e.g. ``"month"``), or of dates put into periods by ``period``.
    numerator
        What is counted: a column name or a list of them (true/false or 0/1 flags, or counts: each is
        summed, under its own name), or a dict ``{output name: column name or Ibis expression}``, e.g.
        ``{"over_52_weeks": table.weeks_waited >= 52}`` (or ``ibis._.weeks_waited >= 52``).
    denominator
        None (default): the number of records, in a column called ``denominator``. A column name: that
        column summed (e.g. a weight, or counts already partly aggregated), under its own name.
    by
        Column(s) that split the table into separate series (e.g. ``"trust_code"``), kept under their names.
    group
        The column whose categories are compared (e.g. ``"imd_quintile"``).
    period
        ``"day"``, ``"week"`` (starting Monday), ``"month"``, ``"quarter"`` or ``"year"``: ``time`` truncated
        to the period's first day (dates stay dates). None: ``time`` as it is.
    connection
        The engine: an Ibis backend from :func:`connect`, or an engine name (``"duckdb"``, ``"spark"``).
        Only used to read a path or a DataFrame; an Ibis table already has its engine.

    Returns
    -------
    pandas.DataFrame
        Columns by, group, time, the numerators, the denominator; sorted by them (missing keys last);
        counts as int64 (float64 if a summed column is fractional), time as datetime64. The same rows and
        values on every engine (tested: DuckDB and Spark).

    Raises
    ------
    KeyError
        A named column is not in the table (the message lists its columns).
    TypeError
        A numerator that is not true/false or numbers; ``period`` on a column that is not dates.
    ValueError
        An unknown period or engine; a missing value in a counted column (naming the column and the first
        cell: fill or filter it first, because counting it as 0 would be a silent wrong number).
    ImportError
        The ``scale`` extra is not installed (the message says ``pip install 'equity_lib[scale]'``).
    """
    if isinstance(connection, str):
        connection = connect(connection)
    expr = aggregation(data, time=time, numerator=numerator, denominator=denominator, by=by, group=group,
                       period=period, connection=connection)
    result = _execute(expr).to_pandas()
    keys = _names(by, "by") + _names(group, "group") + ([time] if time else [])
    present = [c for c in result.columns if c.startswith("__present_")]
    rows = result["__rows" if "__rows" in result.columns else DENOMINATOR].to_numpy()
    names = list(numerator) if isinstance(numerator, Mapping) else _names(numerator, "numerator")
    names_all = names + ([denominator] if denominator else [])
    for i, column in enumerate(present):
        missing = rows - result[column].to_numpy()
        bad = missing > 0
        if bad.any():
            first = result.loc[bad, keys].iloc[0].to_dict()
            raise ValueError(
                f"{names_all[i]!r} has {int(missing.sum()):,} missing value(s) in the "
                f"records (first in {first}). Counting them as 0 would understate it. Fix: filter those "
                "records out (table.filter(table[...].notnull())) or fill them (.fill_null(0)) if 0 is what "
                "they mean."
            )
    result = result.drop(columns=present + (["__rows"] if "__rows" in result.columns else []))
    return _tidy(result, keys)


def _execute(expr):
    """Run the expression, into an Arrow table: Ibis's own pandas conversion reads an option pandas 3.1
    deprecates, and on Spark goes through DataFrame.toPandas; Spark's toArrow is direct (Spark 4)."""
    backend = expr._find_backend(use_default=True)
    if backend.name == "pyspark":
        return backend.raw_sql(backend.compile(expr)).toArrow()
    return expr.to_pyarrow()


def _tidy(result: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The same frame from every engine: types normalised, rows sorted by the keys (missing last)."""
    result = result.copy()
    for column in result.columns:
        values = result[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            result[column] = values.astype("datetime64[ns]")
        elif values.dtype == object and len(values) and all(
                hasattr(v, "year") for v in values.dropna().head(5)):
            result[column] = pd.to_datetime(values).astype("datetime64[ns]")
        elif column not in keys and pd.api.types.is_float_dtype(values):
            array = values.to_numpy()
            if np.isfinite(array).all() and (array == np.round(array)).all():
                result[column] = array.astype(np.int64)
        elif column not in keys and pd.api.types.is_integer_dtype(values):
            result[column] = values.astype(np.int64)
    if keys:
        result = result.sort_values(keys, na_position="last", kind="stable", ignore_index=True)
    return result
