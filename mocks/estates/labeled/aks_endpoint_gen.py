#!/usr/bin/env python3
"""Writes aks-endpoint.yaml and aks-endpoint.truth.csv: one AKS cluster per case of issue 8
item 1 (a body without apiServerAccessProfile is a default public cluster; allow-lists are judged
by the union of their prefixes). The directory, the subscription's role assignments and the
hardened body are those of entra-admins.yaml's baseline case `adm-hardened`, so every check
other than NET-001…004 answers as it does there (entra-admins.truth.csv); each case changes only
the endpoint and states the verdicts that changes. Never copied from a scan.

Run from the repository root after changing a case (or after regenerating entra-admins.yaml):
    python3 mocks/estates/labeled/aks_endpoint_gen.py
"""
import copy, csv, json, os, sys
import labeled_io

HERE = os.path.dirname(os.path.abspath(__file__))
BASE_CASE = "adm-hardened"


def load_base():
    text = open(os.path.join(HERE, "entra-admins.yaml")).read()
    estate = json.loads("\n".join(l for l in text.splitlines() if not l.startswith("#")))
    truth = list(csv.DictReader(open(os.path.join(HERE, "entra-admins.truth.csv"))))
    return estate, truth


def build():
    base, base_truth = load_base()
    estate = copy.deepcopy(base)
    sub = estate["azure"]["subscriptions"][0]
    hardened = next(c for c in sub["managedClusters"] if c["name"] == BASE_CASE)
    old_rg = hardened["id"].split("/resourceGroups/")[1].split("/")[0]
    verdicts = {r["check_id"]: r["status"] for r in base_truth if r["resource"] == BASE_CASE}
    assert verdicts["NET-001"] == "pass" and verdicts["NET-004"] == "pass", "the base case must be a private cluster"
    scope_rows = [r for r in base_truth if r["resource"] == estate["entra"]["tenants"][0]["tenantId"]]

    clusters, diag, truth = [], {}, []

    def case(name, why, profile, expect):
        body = copy.deepcopy(hardened)
        body["id"] = body["id"].replace(f"/resourceGroups/{old_rg}/", f"/resourceGroups/rg-{name}/").rsplit("/", 1)[0] + "/" + name
        body["name"] = name
        p = body["properties"]
        p["dnsPrefix"] = name
        del p["apiServerAccessProfile"]
        if profile is not None:
            p["apiServerAccessProfile"] = profile
        if not (profile or {}).get("enablePrivateCluster"):
            p.pop("privateFQDN", None)
            p["fqdn"] = f"{name}-0a1b2c3d.hcp.westeurope.azmk8s.io"
            p["publicNetworkAccess"] = "Enabled"
        clusters.append(body)
        diag[body["id"]] = [{**d, "id": d["id"].replace(hardened["id"], body["id"])} for d in sub["diagnosticSettings"][hardened["id"]]]
        v = dict(verdicts)
        v.update(expect)
        for check, status in sorted(v.items()):
            note = why if check in expect or check.startswith("NET-") else f"as entra-admins {BASE_CASE}"
            truth.append((check, name, status, note))

    public = {"NET-001": "fail", "NET-002": "not_applicable", "NET-003": "fail", "NET-004": "not_applicable"}
    case("aks-no-access-profile", "no apiServerAccessProfile: a default public cluster with no allow-list", None, public)
    case("aks-public-no-ranges", "enablePrivateCluster false and no authorizedIPRanges", {"enablePrivateCluster": False}, public)
    case("aks-ranges-halves", "authorizedIPRanges 0.0.0.0/1 + 128.0.0.0/1: together every IPv4 address",
         {"enablePrivateCluster": False, "authorizedIPRanges": ["0.0.0.0/1", "128.0.0.0/1"]}, {**public, "NET-002": "fail"})
    case("aks-ranges-v6-open", "one office /24 plus ::/0: every IPv6 address",
         {"enablePrivateCluster": False, "authorizedIPRanges": ["203.0.113.0/24", "::/0"]}, {**public, "NET-002": "fail"})
    case("aks-ranges-split-v4", "four /2 prefixes with host bits set: together every IPv4 address",
         {"enablePrivateCluster": False, "authorizedIPRanges": ["0.0.0.1/2", "64.0.0.0/2", "128.0.0.0/2", " 192.0.0.0/2 "]}, {**public, "NET-002": "fail"})
    case("aks-ranges-narrow", "public endpoint for one office /24",
         {"enablePrivateCluster": False, "authorizedIPRanges": ["203.0.113.0/24"]}, {**public, "NET-001": "pass", "NET-002": "pass"})
    case("aks-private-public-fqdn", "private cluster that still publishes a public FQDN",
         {"enablePrivateCluster": True, "enablePrivateClusterPublicFQDN": True}, {"NET-004": "fail"})

    estate["azure"]["subscriptions"] = [sub]  # the other subscriptions hold entra-admins' fault cases
    sub["managedClusters"] = clusters
    sub["diagnosticSettings"] = diag
    # Keep the subscription-wide grants (the scanner's reader role, subscription-scope admin
    # paths); drop those scoped to the other cases' resource groups.
    rg_scoped = lambda x: "/resourceGroups/" in x["properties"]["scope"]  # noqa: E731
    for key in ("roleAssignments", "roleEligibilityScheduleInstances", "roleAssignmentScheduleInstances"):
        sub[key] = [x for x in sub.get(key, []) if not rg_scoped(x)]
    estate["faults"] = []
    for r in scope_rows:
        truth.append((r["check_id"], r["resource"], r["status"], r["why"]))

    out = sys.argv[1] if len(sys.argv) > 1 else HERE
    labeled_io.write(out, "aks-endpoint",
                     "# Labeled estate: AKS endpoints (no apiServerAccessProfile, allow-lists judged by their union),\n"
                     "# one cluster per case, with aks-endpoint.truth.csv beside it. Generated by aks_endpoint_gen.py\n"
                     "# from entra-admins.yaml's hardened case; edit the generator, not this file.\n",
                     estate, truth)


if __name__ == "__main__":
    build()
