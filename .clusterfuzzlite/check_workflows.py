#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks .github/workflows/cflite_*.yml: valid YAML, the ClusterFuzzLite
actions used only with the inputs their action.yml defines (v1, from
google/oss-fuzz infra/cifuzz/external-actions and the ClusterFuzzLite docs),
required inputs present, valid modes and sanitizers, and each file doing its
job (PR: code-change with SARIF; build: upload-build on push to main; batch:
scheduled batch; cron: prune and coverage).  Exit 0 ok, 1 with one line per
problem."""
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BUILD = "google/clusterfuzzlite/actions/build_fuzzers@v1"
RUN = "google/clusterfuzzlite/actions/run_fuzzers@v1"
INPUTS = {
    BUILD: {"language", "dry-run", "allowed-broken-targets-percentage", "sanitizer", "project-src-path",
            "bad-build-check", "keep-unaffected-fuzz-targets", "storage-repo", "storage-repo-branch",
            "storage-repo-branch-coverage", "upload-build", "github-token", "output-sarif"},
    RUN: {"language", "fuzz-seconds", "dry-run", "sanitizer", "mode", "github-token", "storage-repo",
          "storage-repo-branch", "storage-repo-branch-coverage", "report-unreproducible-crashes",
          "minimize-crashes", "parallel-fuzzing", "output-sarif", "report-timeouts", "report-ooms",
          "upload-all-crashes"},
}
REQUIRED = {BUILD: set(), RUN: {"fuzz-seconds", "github-token"}}
MODES = {"code-change", "batch", "prune", "coverage"}
SANITIZERS = {"address", "undefined", "memory", "coverage"}

problems = []


def bad(f, msg):
    problems.append(f"{f}: {msg}")


def steps(doc):
    for job in (doc.get("jobs") or {}).values():
        for st in job.get("steps") or []:
            yield job, st


def triggers(doc):
    # PyYAML reads the key `on` as the boolean True.
    return doc.get("on", doc.get(True)) or {}


def check(name, want):
    f = ROOT / ".github/workflows" / name
    if not f.exists():
        bad(name, "missing")
        return
    try:
        doc = yaml.safe_load(f.read_text())
    except yaml.YAMLError as e:
        bad(name, f"not YAML: {str(e).splitlines()[0]}")
        return
    if not isinstance(doc, dict) or "jobs" not in doc:
        bad(name, "no jobs")
        return
    used = {BUILD: [], RUN: []}
    for job, st in steps(doc):
        uses = st.get("uses", "")
        if uses.startswith("google/clusterfuzzlite/") and uses not in INPUTS:
            bad(name, f"unknown ClusterFuzzLite action {uses}")
            continue
        if uses not in INPUTS:
            continue
        inputs = st.get("with") or {}
        for k in inputs:
            if k not in INPUTS[uses]:
                bad(name, f"{uses}: unknown input {k}")
        for k in REQUIRED[uses] - set(inputs):
            bad(name, f"{uses}: missing required input {k}")
        san = str(inputs.get("sanitizer", "address"))
        matrix = ((job.get("strategy") or {}).get("matrix") or {}).get("sanitizer", [])
        sans = matrix if "matrix.sanitizer" in san else [san]
        for s in sans:
            if s not in SANITIZERS:
                bad(name, f"unknown sanitizer {s}")
        if uses == RUN and str(inputs.get("mode", "code-change")) not in MODES:
            bad(name, f"unknown mode {inputs.get('mode')}")
        if uses == BUILD and str(inputs.get("language", "c++")) != "c++":
            bad(name, "language must be c++ (.clusterfuzzlite/project.yaml)")
        used[uses].append((job, inputs, sans))
    want(name, doc, used)


def pr(name, doc, used):
    if "pull_request" not in triggers(doc):
        bad(name, "not triggered by pull_request")
    runs = used[RUN]
    if not runs or any(str(i.get("mode")) != "code-change" for _, i, _ in runs):
        bad(name, "must run in code-change mode")
    if any(i.get("output-sarif") is not True for _, i, _ in runs):
        bad(name, "must write SARIF (output-sarif: true)")
    if not any(set(s) >= {"address", "undefined"} for _, _, s in runs):
        bad(name, "must fuzz with address and undefined")
    if not any("upload-sarif" in st.get("uses", "") for _, st in steps(doc)):
        bad(name, "does not upload the SARIF")


def build(name, doc, used):
    push = triggers(doc).get("push") or {}
    if "main" not in (push.get("branches") or []):
        bad(name, "must build on push to main")
    if not used[BUILD] or any(i.get("upload-build") is not True for _, i, _ in used[BUILD]):
        bad(name, "must upload the build (upload-build: true)")


def batch(name, doc, used):
    if "schedule" not in triggers(doc):
        bad(name, "must run on a schedule")
    if not used[RUN] or any(str(i.get("mode")) != "batch" for _, i, _ in used[RUN]):
        bad(name, "must run in batch mode")


def cron(name, doc, used):
    if "schedule" not in triggers(doc):
        bad(name, "must run on a schedule")
    modes = {str(i.get("mode")) for _, i, _ in used[RUN]}
    if not {"prune", "coverage"} <= modes:
        bad(name, f"must prune and produce coverage (has {sorted(modes)})")
    for _, i, _ in used[RUN]:
        if str(i.get("mode")) == "coverage" and str(i.get("sanitizer")) != "coverage":
            bad(name, "coverage mode needs the coverage sanitizer")


check("cflite_pr.yml", pr)
check("cflite_build.yml", build)
check("cflite_batch.yml", batch)
check("cflite_cron.yml", cron)
project = ROOT / ".clusterfuzzlite/project.yaml"
if yaml.safe_load(project.read_text()).get("language") != "c++":
    bad("project.yaml", "language must be c++")
for p in problems:
    print(p)
print(f"workflows: {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
