#!/usr/bin/env python3
"""The Python half of scripts/scan-stacks: lays out the templates to scan, then reads the scanners' JSON
reports and matches every finding against scanner-suppressions.yaml.

  scan_findings.py prepare TREE TEMPLATE...
      Copies each committed template (a path relative to the repository root, e.g.
      stacks/default/stackset.yaml) to TREE/<same path>, and writes the template body of each
      AWS::CloudFormation::StackSet resource in it to TREE/<same path>#<StackSet logical id>.yaml, so the
      scanners see the stacks a StackSet deploys too. Prints every path to scan (relative to TREE), one a
      line. The scanners then run in TREE on these relative paths, so their reports name the repository's
      own paths.

  scan_findings.py check-suppressions FILE
      Reads the suppression file and says what is malformed in it (exit 2), before the scanners run.

  scan_findings.py scanner-version CHECKOV_JSON
      Prints the checkov version its `-o json` report names (cheaper than `checkov --version`).

  scan_findings.py report --suppressions FILE --checkov JSON --cfripper-dir DIR [--no-stale] [--show-suppressed]
                          TEMPLATE...
      TEMPLATE... are the paths `prepare` printed. JSON is checkov's `-o json` report of them; DIR holds
      cfripper's `--format json --output-folder DIR` reports (DIR/<path>.cfripper.results.json).
      A finding is (scanner, check, file, resource[, action]): checkov's check id (CKV_AWS_...) or
      cfripper's rule name, the template's path (for a template embedded in a StackSet,
      `stacks/x/stackset.yaml#LogicalId`), the resource's logical id (cfripper's stack-level findings: `-`),
      and for cfripper's rules that judge single IAM actions (WildcardResourceRule, PrivilegeEscalationRule,
      IAMRolesOverprivilegedRule, ...) one finding per action. cfripper results of rules in MONITOR mode
      (its own "report, do not block") are counted but are not findings; cfripper itself passes them.
      Prints every finding no suppression covers, then every suppression (or resource, files or actions
      pattern of one) that covers no finding (stale; skipped with --no-stale, when only some folders were
      scanned), then a summary line.
      Exit 0 all covered and none stale, 1 otherwise, 2 unusable input (a report missing or unreadable, a
      scanner's parse error, a malformed suppression file).

The suppression file is a YAML list of entries:

  - scanner: checkov | cfripper
    check: CKV_AWS_117                      # check id / rule name, exact
    resource: FilterFunction                # logical id: a glob, or a list of globs
    files: stacks/*/alert-stack.yaml        # optional: a glob or a list of globs over the file
    actions: [logs:DescribeLogGroups]       # optional: globs over the IAM action of an action-level finding;
                                            # without it the entry covers every action of the check
    reason: why this finding is a false positive or accepted by design (required, specific)

A files glob is matched against the file path, and for a template embedded in a StackSet also against the
path of the file holding it (so `stacks/*/stackset.yaml` covers the embedded templates, and
`stacks/*/stackset.yaml#*` only them). Globs are fnmatch patterns (`*` also matches `/`).
"""
import argparse
import fnmatch
import json
import os
import re
import shutil
import sys

import yaml

SCANNERS = ("checkov", "cfripper")
ENTRY_KEYS = {"scanner", "check", "resource", "files", "actions", "reason"}
# An IAM action quoted in a cfripper reason: "logs:DescribeLogGroups", 'iam:PutRolePolicy'.
QUOTED_ACTION = re.compile(r"""["']([A-Za-z0-9-]+:[A-Za-z0-9*?]+)["']""")


class TemplateLoader(yaml.SafeLoader):
    """Reads CloudFormation's short-form tags (!Ref, !Sub, ...) as plain values: only the structure matters."""


def _construct_tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)


TemplateLoader.add_multi_constructor("!", _construct_tag)


def fail(message):
    print(f"scan_findings: {message}", file=sys.stderr)
    sys.exit(2)


# prepare

def prepare(tree, templates):
    scan = []
    for path in templates:
        if os.path.isabs(path) or path.startswith(".."):
            fail(f"{path}: give templates relative to the repository root")
        target = os.path.join(tree, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(path, target)
        scan.append(path)
        with open(path, encoding="utf-8") as f:
            try:
                template = yaml.load(f, Loader=TemplateLoader)
            except yaml.YAMLError as error:
                fail(f"{path}: not YAML: {error}")
        resources = template.get("Resources") if isinstance(template, dict) else None
        for logical_id, resource in (resources or {}).items():
            if not isinstance(resource, dict) or resource.get("Type") != "AWS::CloudFormation::StackSet":
                continue
            body = (resource.get("Properties") or {}).get("TemplateBody")
            if not isinstance(body, str):
                # A TemplateURL, or a body built with intrinsics: nothing local to scan.
                print(f"scan_findings: {path}: {logical_id} has no literal TemplateBody; not scanned", file=sys.stderr)
                continue
            embedded = f"{path}#{logical_id}.yaml"
            with open(os.path.join(tree, embedded), "w", encoding="utf-8") as f:
                f.write(body)
            scan.append(embedded)
    for path in scan:
        print(path)


# report

def display_path(scanned):
    """stacks/x/stackset.yaml#Id.yaml -> stacks/x/stackset.yaml#Id; a committed template stays as it is."""
    if "#" in scanned and scanned.endswith(".yaml"):
        return scanned[: -len(".yaml")]
    return scanned


def normalize(path):
    return os.path.normpath(path.lstrip("/"))


def checkov_findings(report_path, scanned):
    try:
        with open(report_path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as error:
        fail(f"checkov report {report_path}: {error}")
    reports = data if isinstance(data, list) else [data]
    by_path = {normalize(p): p for p in scanned}
    findings = []
    for report in reports:
        if not isinstance(report, dict):
            fail(f"checkov report {report_path}: unexpected shape")
        if "results" not in report:
            # Nothing was scanned for this framework: checkov prints only a summary.
            if report.get("summary", {}).get("resource_count", 0) == 0 and scanned:
                fail(f"checkov report {report_path}: no CloudFormation resources scanned")
            continue
        if report.get("check_type") != "cloudformation":
            continue
        results = report["results"]
        if results.get("parsing_errors"):
            fail(f"checkov could not parse: {', '.join(results['parsing_errors'])}")
        for check in results.get("failed_checks", []):
            path = normalize(check.get("file_abs_path") or check.get("file_path") or "")
            if path not in by_path:
                fail(f"checkov reported {path}, which was not scanned")
            resource = check.get("resource", "")
            # "AWS::SNS::Topic.ReceiveTopic": the type has no dot, the logical id follows the first one.
            logical_id = resource.split(".", 1)[1] if "." in resource else resource
            findings.append(("checkov", check["check_id"], display_path(by_path[path]), logical_id, "",
                             check.get("check_name", "")))
    return findings


def cfripper_findings(folder, scanned):
    """The findings, and how many results came from rules in MONITOR mode (not findings)."""
    findings, monitored = [], 0
    for path in scanned:
        report_path = os.path.join(folder, f"{path}.cfripper.results.json")
        try:
            with open(report_path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError) as error:
            fail(f"cfripper report {report_path}: {error}")
        if data.get("exceptions"):
            fail(f"cfripper could not scan {path}: {data['exceptions']}")
        for failure in data.get("failures", []):
            if failure.get("rule_mode", "BLOCKING") != "BLOCKING":
                monitored += 1
                continue
            # The actions the reason names; `actions` is the whole statement's list, not those it judged.
            actions = QUOTED_ACTION.findall(failure.get("reason", ""))
            if not actions and failure.get("granularity") == "ACTION":
                actions = failure.get("actions") or []
            for logical_id in failure.get("resource_ids") or ["-"]:
                for action in actions or [""]:
                    findings.append(("cfripper", failure["rule"], display_path(path), logical_id, action,
                                     failure.get("reason", "")))
    return findings, monitored


def as_list(value, what, index):
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return value
    fail(f"suppression #{index}: {what} must be a glob or a non-empty list of globs")


def load_suppressions(path):
    try:
        with open(path, encoding="utf-8") as f:
            entries = yaml.safe_load(f)
    except OSError as error:
        fail(f"{path}: {error}")
    except yaml.YAMLError as error:
        fail(f"{path}: not YAML: {error}")
    if entries is None:
        return []
    if not isinstance(entries, list):
        fail(f"{path}: must be a list of entries")
    suppressions = []
    for index, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            fail(f"{path}: entry #{index} is not a mapping")
        unknown = set(entry) - ENTRY_KEYS
        if unknown:
            fail(f"{path}: entry #{index}: unknown keys {sorted(unknown)}")
        for key in ("scanner", "check", "resource", "reason"):
            if key not in entry:
                fail(f"{path}: entry #{index}: missing {key}")
        if entry["scanner"] not in SCANNERS:
            fail(f"{path}: entry #{index}: scanner must be one of {', '.join(SCANNERS)}")
        if not isinstance(entry["check"], str) or not entry["check"]:
            fail(f"{path}: entry #{index}: check must be a check id")
        reason = entry["reason"]
        if not isinstance(reason, str) or len(reason.split()) < 5:
            fail(f"{path}: entry #{index} ({entry['check']}): reason must say why, in a sentence")
        suppressions.append({
            "index": index,
            "scanner": entry["scanner"],
            "check": entry["check"],
            "resources": as_list(entry["resource"], "resource", index),
            "files": as_list(entry["files"], "files", index) if "files" in entry else None,
            "actions": as_list(entry["actions"], "actions", index) if "actions" in entry else None,
            "reason": " ".join(reason.split()),
        })
    return suppressions


def file_candidates(path):
    # An embedded template is also matched by the path of the file that holds it.
    return [path, path.split("#", 1)[0]] if "#" in path else [path]


def matching(suppression, finding):
    """None when the suppression does not cover the finding, else the patterns that matched:
    {"resource": pattern, "files": pattern or None, "actions": pattern or None}."""
    scanner, check, path, logical_id, action, _ = finding
    if suppression["scanner"] != scanner or suppression["check"] != check:
        return None
    resource = next((p for p in suppression["resources"] if fnmatch.fnmatchcase(logical_id, p)), None)
    if resource is None:
        return None
    files = None
    if suppression["files"] is not None:
        files = next((p for p in suppression["files"]
                      if any(fnmatch.fnmatchcase(c, p) for c in file_candidates(path))), None)
        if files is None:
            return None
    actions = None
    if suppression["actions"] is not None:
        # IAM action names are case-insensitive.
        actions = next((p for p in suppression["actions"] if fnmatch.fnmatch(action.lower(), p.lower())), None)
        if actions is None:
            return None
    return {"resource": resource, "files": files, "actions": actions}


def describe(suppression):
    text = f"#{suppression['index']} {suppression['scanner']} {suppression['check']} resource {', '.join(suppression['resources'])}"
    for key in ("files", "actions"):
        if suppression[key]:
            text += f" {key} {', '.join(suppression[key])}"
    return text


def report(args):
    suppressions = load_suppressions(args.suppressions)
    cfripper, monitored = cfripper_findings(args.cfripper_dir, args.templates)
    findings = checkov_findings(args.checkov, args.templates) + cfripper
    # One finding per (scanner, check, file, resource, action); titles of duplicates merge.
    merged = {}
    for scanner, check, path, logical_id, action, title in findings:
        titles = merged.setdefault((scanner, check, path, logical_id, action), [])
        if title and title not in titles:
            titles.append(title)
    used = {s["index"]: {"resource": set(), "files": set(), "actions": set()} for s in suppressions}
    open_findings, covered = [], []
    for key in sorted(merged, key=lambda k: (k[2], k[3], k[0], k[1], k[4])):
        finding = key + ("; ".join(merged[key]),)
        cover = None
        for suppression in suppressions:
            match = matching(suppression, finding)
            if match:
                cover = cover or suppression
                for what, pattern in match.items():
                    if pattern is not None:
                        used[suppression["index"]][what].add(pattern)
        (covered if cover else open_findings).append((finding, cover))

    def line(finding):
        scanner, check, path, logical_id, action, title = finding
        action = f" ({action})" if action else ""
        return f"{path}: {logical_id}: {scanner} {check}{action}: {title}"

    if args.show_suppressed:
        for finding, cover in covered:
            print(f"suppressed by #{cover['index']}: {line(finding)}")
    for finding, _ in open_findings:
        print(f"FINDING {line(finding)}")
    stale = []
    if not args.no_stale:
        for suppression in suppressions:
            index = suppression["index"]
            if not used[index]["resource"]:
                stale.append(f"STALE suppression {describe(suppression)}: matches no finding")
                continue
            for what, key in (("resource", "resources"), ("files", "files"), ("actions", "actions")):
                for pattern in suppression[key] or []:
                    if pattern not in used[index][what]:
                        stale.append(f"STALE suppression {describe(suppression)}: {what} {pattern} matches no finding")
    for message in stale:
        print(message)
    per_scanner = ", ".join(f"{s} {sum(1 for k in merged if k[0] == s)}" for s in SCANNERS)
    print(f"scan-stacks: {len(merged)} findings ({per_scanner}) in {len(args.templates)} templates: "
          f"{len(covered)} suppressed, {len(open_findings)} not suppressed "
          f"({monitored} cfripper results of rules in monitor mode not counted); "
          f"{len(suppressions)} suppressions, {len(stale)} stale"
          + (" (not checked: only some folders scanned)" if args.no_stale else ""))
    return 1 if open_findings or stale else 0


def checkov_version(report_path):
    try:
        with open(report_path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as error:
        fail(f"checkov report {report_path}: {error}")
    for report in data if isinstance(data, list) else [data]:
        version = isinstance(report, dict) and report.get("summary", {}).get("checkov_version")
        if version:
            print(version)
            return 0
    fail(f"checkov report {report_path} names no checkov_version")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("prepare")
    p.add_argument("tree")
    p.add_argument("templates", nargs="+")
    c = commands.add_parser("check-suppressions")
    c.add_argument("suppressions")
    v = commands.add_parser("scanner-version")
    v.add_argument("checkov")
    r = commands.add_parser("report")
    r.add_argument("--suppressions", required=True)
    r.add_argument("--checkov", required=True)
    r.add_argument("--cfripper-dir", required=True)
    r.add_argument("--no-stale", action="store_true")
    r.add_argument("--show-suppressed", action="store_true")
    r.add_argument("templates", nargs="+")
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args.tree, args.templates)
        return 0
    if args.command == "check-suppressions":
        load_suppressions(args.suppressions)
        return 0
    if args.command == "scanner-version":
        return checkov_version(args.checkov)
    return report(args)


if __name__ == "__main__":
    sys.exit(main())
