"""kubeposture against moto: build an EKS/IAM/EC2 estate with boto3, scan it, assert every finding.

moto's gaps are facts the scan must handle, not hide (see ../fixtures/aws/MOTO_MATRIX.md):
no access-entry, pod-identity, add-on or cluster-version APIs (404) and no accessConfig in
DescribeCluster -> the checks that need them are `unknown`; every cluster gets the same OIDC
issuer -> every IRSA role below trusts every cluster; `encryptionConfig: []` when unset; ListRoles
trust documents are not URL-encoded.
"""

import argparse
import json
import os
import subprocess
import sys

import boto3

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's account


def clients(endpoint):
    kw = dict(endpoint_url=endpoint, region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
    return boto3.client("eks", **kw), boto3.client("iam", **kw), boto3.client("ec2", **kw)


def trust(statement_condition, provider_arn):
    st = {"Effect": "Allow", "Principal": {"Federated": provider_arn}, "Action": "sts:AssumeRoleWithWebIdentity"}
    if statement_condition:
        st["Condition"] = statement_condition
    return json.dumps({"Version": "2012-10-17", "Statement": [st]})


def build(endpoint):
    eks, iam, ec2 = clients(endpoint)
    service_trust = lambda svc: json.dumps(  # noqa: E731
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": svc}, "Action": "sts:AssumeRole"}]}
    )
    cluster_role = iam.create_role(RoleName="eks-cluster", AssumeRolePolicyDocument=service_trust("eks.amazonaws.com"))["Role"]["Arn"]

    def node_role(name, policies):
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=service_trust("ec2.amazonaws.com"))["Role"]["Arn"]
        for p in policies:
            iam.attach_role_policy(RoleName=name, PolicyArn=f"arn:aws:iam::aws:policy/{p}")
        iam.create_instance_profile(InstanceProfileName=name)
        iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)
        return arn

    good_node = node_role("node-good", ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly"])
    admin_node = node_role("node-admin", ["AdministratorAccess"])
    cni_node = node_role("node-cni", ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy"])

    def launch_template(name, tokens, hops):
        data = {"MetadataOptions": {"HttpTokens": tokens, "HttpPutResponseHopLimit": hops, "HttpEndpoint": "enabled"}}
        return ec2.create_launch_template(LaunchTemplateName=name, LaunchTemplateData=data)["LaunchTemplate"]["LaunchTemplateId"]

    lt_good = launch_template("lt-imdsv2-hop1", "required", 1)
    lt_hop2 = launch_template("lt-imdsv2-hop2", "required", 2)
    lt_v1 = launch_template("lt-imdsv1", "optional", 1)

    def cluster(name, public, private, cidrs=None, encrypt=False, audit_logs=False):
        vpc = {"subnetIds": ["subnet-1", "subnet-2"], "endpointPublicAccess": public, "endpointPrivateAccess": private}
        if cidrs is not None:
            vpc["publicAccessCidrs"] = cidrs
        kw = dict(name=name, version="1.31", roleArn=cluster_role, resourcesVpcConfig=vpc)
        if encrypt:
            kw["encryptionConfig"] = [{"resources": ["secrets"], "provider": {"keyArn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}]
        if audit_logs:
            kw["logging"] = {"clusterLogging": [{"types": ["api", "audit", "authenticator"], "enabled": True}]}
        return eks.create_cluster(**kw)["cluster"]

    def nodegroup(cluster_name, name, role, lt_id=None):
        kw = dict(clusterName=cluster_name, nodegroupName=name, nodeRole=role, subnets=["subnet-1"])
        if lt_id:
            kw["launchTemplate"] = {"id": lt_id, "version": "1"}
        eks.create_nodegroup(**kw)

    open_cluster = cluster("public-open", public=True, private=False, cidrs=["0.0.0.0/0"])
    cluster("restricted", public=True, private=True, cidrs=["203.0.113.0/24"])
    cluster("private", public=False, private=True, encrypt=True, audit_logs=True)
    cluster("no-template", public=False, private=True)
    nodegroup("public-open", "ng-imdsv1", admin_node, lt_v1)
    nodegroup("restricted", "ng-hop2", cni_node, lt_hop2)
    nodegroup("private", "ng-good", good_node, lt_good)
    nodegroup("no-template", "ng-default", good_node)  # moto runs no instances for it
    # A self-managed node of no-template, found by its cluster tag; its role comes from its profile.
    ec2.run_instances(
        ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="t3.medium",
        IamInstanceProfile={"Name": "node-admin"},
        MetadataOptions={"HttpTokens": "required", "HttpPutResponseHopLimit": 1, "HttpEndpoint": "enabled"},
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "kubernetes.io/cluster/no-template", "Value": "owned"}]}],
    )

    # moto gives every cluster the same issuer: one IAM OIDC provider serves all four.
    issuer = open_cluster["identity"]["oidc"]["issuer"]
    host = issuer.replace("https://", "")
    thumb = ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]
    provider = iam.create_open_id_connect_provider(Url=issuer, ClientIDList=["sts.amazonaws.com"], ThumbprintList=thumb)[
        "OpenIDConnectProviderArn"
    ]
    iam.create_open_id_connect_provider(
        Url=f"https://oidc.eks.{REGION}.amazonaws.com/id/0RPHAN0000000000000000000000000A", ClientIDList=["sts.amazonaws.com"], ThumbprintList=thumb
    )

    roles = {
        "irsa-good": {"StringEquals": {f"{host}:sub": "system:serviceaccount:payments:api", f"{host}:aud": "sts.amazonaws.com"}},
        "irsa-any-sa": {"StringLike": {f"{host}:sub": "system:serviceaccount:*"}},
        "irsa-no-condition": None,
        "irsa-ns-wildcard": {"StringLike": {f"{host}:sub": "system:serviceaccount:payments:*", f"{host}:aud": "sts.amazonaws.com"}},
    }
    for name, cond in roles.items():
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(cond, provider))
    return ACCOUNT


CLUSTERS = ["public-open", "restricted", "private", "no-template"]
MOTO_GAPS = {
    # ListAccessEntries / ListAddons / DescribeClusterVersions answer 404; accessConfig is dropped.
    "AUTH-005": "unknown",
    "AUTH-006": "unknown",
    "AUTH-007": "unknown",
    "AUTH-008": "unknown",
    "IDN-012": "unknown",
    "NET-006": "unknown",
    "CLU-001": "unknown",
}
# Without ListAccessEntries the roles of EC2 access entries are unknown, so NODE-002/003 cannot
# pass (a failing role still fails).
ENTRY_ROLES = "unknown"
# Every cluster shares the issuer, so every cluster sees all four IRSA roles.
IRSA = {"WID-001": "fail", "WID-002": "fail", "WID-003": "fail", "WID-004": "pass"}


# moto serves no Kubernetes API: the scan skips the data plane, whose checks are unknown.
DATA_PLANE = {f"WKL-{i:03}": "unknown" for i in range(1, 17)} | {f"K8S-{i:03}": "unknown" for i in range(1, 5)}


def expected():
    e = {}
    per_cluster = {
        "public-open": {"NET-001": "fail", "NET-002": "fail", "NET-003": "fail", "NET-005": "fail",
                        "NODE-001": "fail", "NODE-002": "fail", "NODE-003": ENTRY_ROLES, "CLU-004": "fail", "CLU-005": "fail"},
        "restricted": {"NET-001": "pass", "NET-002": "pass", "NET-003": "fail", "NET-005": "pass",
                       "NODE-001": "fail", "NODE-002": ENTRY_ROLES, "NODE-003": "fail", "CLU-004": "fail", "CLU-005": "fail"},
        "private": {"NET-001": "pass", "NET-002": "not_applicable", "NET-003": "pass", "NET-005": "pass",
                    "NODE-001": "pass", "NODE-002": ENTRY_ROLES, "NODE-003": ENTRY_ROLES, "CLU-004": "pass", "CLU-005": "pass"},
        "no-template": {"NET-001": "pass", "NET-002": "not_applicable", "NET-003": "pass", "NET-005": "pass",
                        "NODE-001": "unknown", "NODE-002": "fail", "NODE-003": ENTRY_ROLES, "CLU-004": "fail", "CLU-005": "fail"},
    }
    for c in CLUSTERS:
        for check, status in {**MOTO_GAPS, **IRSA, **DATA_PLANE, **per_cluster[c]}.items():
            e[("cluster", c, check)] = status
    e[("account", ACCOUNT, "WID-004")] = "fail"  # the orphaned provider
    return e


# What the evidence or message must name, so a status cannot be right for the wrong reason.
MUST_NAME = {
    ("cluster", "public-open", "WID-001"): ["irsa-any-sa", "irsa-no-condition"],
    ("cluster", "public-open", "WID-002"): ["irsa-ns-wildcard", "payments"],
    ("cluster", "public-open", "WID-003"): ["irsa-any-sa", "irsa-no-condition"],
    ("cluster", "public-open", "NODE-001"): ["HttpTokens", "optional"],
    ("cluster", "restricted", "NODE-001"): ["HttpPutResponseHopLimit", "2"],
    ("cluster", "public-open", "NODE-002"): ["AdministratorAccess"],
    ("cluster", "restricted", "NODE-003"): ["AmazonEKS_CNI_Policy"],
    ("cluster", "public-open", "AUTH-006"): ["ListAccessEntries", "404"],
    ("cluster", "public-open", "NET-006"): ["ListAddons"],
    ("cluster", "public-open", "CLU-001"): ["DescribeClusterVersions"],
    ("cluster", "public-open", "AUTH-005"): ["authenticationMode"],
    ("cluster", "private", "NODE-002"): ["access entries could not be listed"],
    ("cluster", "no-template", "NODE-001"): ["no launch template and no running instances"],
    ("cluster", "no-template", "NODE-002"): ["node-admin", "self-managed nodes standalone instances", "AdministratorAccess"],
    ("account", ACCOUNT, "WID-004"): ["0RPHAN0000000000000000000000000A"],
    ("cluster", "private", "WKL-001"): ["--no-data-plane"],
}
MUST_NOT_NAME = {
    ("cluster", "public-open", "WID-001"): ["irsa-good", "irsa-ns-wildcard"],
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--bin", required=True)
    args = ap.parse_args()
    build(args.endpoint)

    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_ENDPOINT_URL=args.endpoint, AWS_EC2_METADATA_DISABLED="true")
    cmd = [args.bin, "scan", "--cloud", "aws", "--region", REGION, "--quiet", "--format", "json", "--max-retries", "2",
           "--no-data-plane"]
    run = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    if not run.stdout.strip():
        sys.exit(f"kubeposture printed no report (exit {run.returncode}):\n{run.stderr}")
    report = json.loads(run.stdout)

    problems = []
    if run.returncode != 1:
        problems.append(f"exit code {run.returncode}, want 1 (failing findings, every scope collected)\n{run.stderr}")
    if report["scan"]["not_collected"]:
        problems.append(f"not collected: {report['scan']['not_collected']}")
    got = {}
    text = {}
    for f in report["findings"]:
        key = (f["resource"]["kind"], f["resource"]["name"], f["check_id"])
        if key in got:
            problems.append(f"duplicate finding {key}")
        got[key] = f["status"]
        text[key] = f["message"] + " " + json.dumps(f["evidence"])
    want = expected()
    for key in sorted(set(want) | set(got)):
        if want.get(key) != got.get(key):
            problems.append(f"{key}: got {got.get(key)}, want {want.get(key)} | {text.get(key, '')[:300]}")
    for key, words in MUST_NAME.items():
        for w in words:
            if w not in text.get(key, ""):
                problems.append(f"{key}: does not name {w!r}: {text.get(key, '')[:300]}")
    for key, words in MUST_NOT_NAME.items():
        for w in words:
            if w in text.get(key, ""):
                problems.append(f"{key}: wrongly names {w!r}")
    if problems:
        print("moto conformance FAILED:", *problems, sep="\n  ")
        sys.exit(1)
    print(f"moto conformance: {len(got)} findings as expected over {len(CLUSTERS)} clusters and 1 account")


if __name__ == "__main__":
    main()
