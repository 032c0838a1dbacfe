"""Run the sector's SSDA903 validator (data-to-insight's ``csc-validator-be-903``, the DfE's rules)
on a folder's header.csv and reviews.csv, in a child process: the validator's pandas warnings
stay out of the test run, where warnings are errors.

``run_validator(folder, year)`` → {"ruleset", "ran": [rule codes that ran], "crashed": [...],
"failures": [{"rule", "table", "row", "child", "review"}]} with ``review`` as the file has it
(dd/mm/yyyy) for a REVIEWS row.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def run_validator(folder: Path, year: int, files: tuple[str, ...] = ("header.csv", "reviews.csv")) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, str(folder), str(year), *files], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def _main(folder: str, year: str, *files: str) -> None:
    import importlib
    import logging
    import warnings

    warnings.simplefilter("ignore")
    logging.disable(logging.CRITICAL)
    from lac_validator.lac_validator import LacValidator

    ruleset = f"lac{int(year) - 1}_{year[2:]}"
    uploaded = [
        {"name": name, "file_content": (Path(folder) / name).read_bytes(), "description": "This year"} for name in files
    ]
    registry = importlib.import_module(f"lac_validator.rules.{ruleset}").registry
    validator = LacValidator(
        metadata={"collectionYear": year, "localAuthority": "E09000027"}, files=uploaded, registry=registry
    )
    failures = []
    for table, frame in validator.ds_results.items():
        if not hasattr(frame, "columns"):
            continue
        for column in frame.columns:
            if str(column).startswith("ERR_"):
                for i in frame.index[frame[column] == True]:  # noqa: E712 (a pandas mask)
                    review = frame.at[i, "REVIEW"] if "REVIEW" in frame.columns else None
                    failures.append(
                        {
                            "rule": column[4:],
                            "table": table,
                            "row": int(i),
                            "child": frame.at[i, "CHILD"],
                            "review": review,
                        }
                    )
    json.dump(
        {"ruleset": ruleset, "ran": sorted(validator.dones), "crashed": sorted(validator.fails), "failures": failures},
        sys.stdout,
        default=str,
    )


if __name__ == "__main__":
    _main(*sys.argv[1:])
