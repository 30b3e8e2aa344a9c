#!/usr/bin/env python3
"""Prints the shell script GitLab Runner would run for one job of a CI file.

    gitlab_ci_job.py FILE JOB

The job's `extends` are merged the way GitLab merges them (hashes deeply,
anything else replaced by the extending job); the variables are the file's
global ones, then the job's, each exported unless the environment already
sets it (a project CI/CD variable wins over the file), with `$NAME`
references expanded by the shell as the runner expands them; then
before_script and script, each entry as written, under `set -eo pipefail`,
which is how the runner's bash shell stops a job at the first failing
command. Also checks that the job runs in merge request pipelines.
"""
import sys

import yaml


def merge(base, over):
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def resolved(doc, name, seen=()):
    if name in seen:
        sys.exit(f"{name}: extends itself")
    job = doc[name]
    parents = job.get("extends", [])
    if isinstance(parents, str):
        parents = [parents]
    out = {}
    for parent in parents:
        out = merge(out, resolved(doc, parent, seen + (name,)))
    return merge(out, {k: v for k, v in job.items() if k != "extends"})


def shell_value(value):
    """A double-quoted shell word that keeps $NAME references."""
    text = str(value)
    for ch in ('\\', '"', '`'):
        text = text.replace(ch, '\\' + ch)
    return '"' + text + '"'


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gitlab_ci_job.py FILE JOB")
    with open(sys.argv[1]) as f:
        doc = yaml.safe_load(f)
    if sys.argv[2] not in doc:
        sys.exit(f"no job {sys.argv[2]} in {sys.argv[1]}")
    job = resolved(doc, sys.argv[2])
    rules = job.get("rules", [])
    if not any("merge_request_event" in str(r.get("if", "")) for r in rules):
        sys.exit(f"{sys.argv[2]} does not run in merge request pipelines")
    lines = ["set -eo pipefail"]
    variables = dict(doc.get("variables", {}))
    variables.update(job.get("variables", {}))
    for name, value in variables.items():
        lines.append(f'if [ -z "${{{name}+set}}" ]; then export {name}={shell_value(value)}; fi')
    for part in ("before_script", "script"):
        for entry in job.get(part, []):
            lines.append(entry.rstrip("\n"))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
