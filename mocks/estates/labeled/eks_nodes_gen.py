#!/usr/bin/env python3
"""Writes eks-nodes.yaml and eks-nodes.truth.csv: one EKS cluster per case of issue 8 items 1, 5
and 6 — every kind of node (managed node groups with and without launch templates, self-managed
Auto Scaling groups and standalone instances, Karpenter, EKS Auto Mode, the roles of EC2 access
entries), the node-role grants NODE-002 counts, failed discovery, endpoint allow-lists judged by
their union, and IRSA trust judged by IAM's matching semantics. The truth is written here by
hand, case by case — never copied from a scan: every cluster starts hardened (all pass) and a
case states what it changes and which verdicts that changes.

Run from the repository root after changing a case:
    python3 mocks/estates/labeled/eks_nodes_gen.py
"""
import copy, os, sys, yaml
import labeled_io

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO = os.path.join(HERE, "..", "demo.yaml")
A1, A2, A3, A4 = "777788889999", "777788880000", "777788881111", "777788882222"  # the main account; the one with an unparseable trust; a provider spelled in another case; a trust repeating a key
MANAGED = ["AdministratorAccess", "AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly",
           "AmazonEKS_CNI_Policy", "AmazonEKSClusterPolicy", "SecurityAudit"]


def managed_policies():
    """The AWS managed policies as the demo estate serves them (their real documents)."""
    demo = yaml.safe_load(open(DEMO))
    out = {}
    for acct in demo["aws"]["accounts"]:
        for p in acct["iam"].get("policies", []):
            name = p["Policy"]["Arn"].rsplit("/", 1)[-1]
            if p["Policy"]["Arn"].startswith("arn:aws:iam::aws:policy/") and name in MANAGED:
                out[name] = p
    missing = set(MANAGED) - set(out)
    assert not missing, f"demo.yaml lacks {missing}"
    return [out[n] for n in MANAGED], demo["aws"]["clusterVersions"]


def hexid(n, width=32):
    return f"{n:0{width}X}"


EC2_TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
NODE_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly"]
GOOD_IMDS = {"State": "applied", "HttpTokens": "required", "HttpPutResponseHopLimit": 1, "HttpEndpoint": "enabled"}


class Account:
    def __init__(self, account_id, regions):
        self.id = account_id
        self.regions = regions
        self.roles, self.providers, self.faults = [], [], []
        self.regional = {r: {"launchTemplates": [], "instances": [], "clusters": []} for r in regions}
        self.n = 0

    def arn(self, kind, name):
        return f"arn:aws:iam::{self.id}:{kind}/{name}"

    def role(self, name, trust, managed=(), inline=None, profile=False, path="/"):
        self.n += 1
        r = {"Role": {"RoleName": name, "Arn": self.arn("role", (path.strip("/") + "/" if path != "/" else "") + name),
                      "Path": path, "RoleId": f"AROA{self.id}{self.n:08d}", "CreateDate": "2026-01-10T09:00:00Z",
                      "AssumeRolePolicyDocument": trust},
             "AttachedPolicies": [{"PolicyName": p, "PolicyArn": f"arn:aws:iam::aws:policy/{p}"} for p in managed]}
        if inline:
            r["RolePolicies"] = [{"PolicyName": k, "PolicyDocument": {"Version": "2012-10-17", "Statement": v}} for k, v in inline.items()]
        if profile:
            r["InstanceProfiles"] = [{"InstanceProfileName": name, "InstanceProfileId": f"AIPA{self.id}{self.n:08d}",
                                      "Arn": self.arn("instance-profile", name), "Path": "/"}]
        self.roles.append(r)
        return r["Role"]["Arn"]

    def node_role(self, name, managed=tuple(NODE_POLICIES), inline=None):
        return self.role(name, EC2_TRUST, managed, inline, profile=True)

    def launch_template(self, region, name, imds):
        lt_id = f"lt-0{len(self.regional[region]['launchTemplates']) + 1:016x}"
        self.regional[region]["launchTemplates"].append({
            "LaunchTemplateId": lt_id, "LaunchTemplateName": name, "DefaultVersionNumber": 1,
            "Versions": [{"VersionNumber": 1, "CreateTime": "2026-01-10T09:30:00Z",
                          "LaunchTemplateData": {"InstanceType": "m6i.large", "MetadataOptions": imds}}]})
        return lt_id

    def instance(self, region, tags, imds, profile=None, state="running", lt=None):
        i = len(self.regional[region]["instances"]) + 1
        inst = {"InstanceId": f"i-0{self.id[-4:]}{i:012x}", "InstanceType": "m6i.large", "State": {"Name": state},
                "LaunchTime": "2026-11-20T06:00:00Z", "MetadataOptions": imds,
                "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
        if lt:
            inst["Tags"] += [{"Key": "aws:ec2launchtemplate:id", "Value": lt}, {"Key": "aws:ec2launchtemplate:version", "Value": "1"}]
        if profile:
            inst["IamInstanceProfile"] = {"Arn": profile.replace(":role/", ":instance-profile/"), "Id": f"AIPA{i:016d}"}
        self.regional[region]["instances"].append(inst)


clusters, truth, kubernetes = [], [], []
BASE_VERDICTS = {
    "AUTH-005": "pass", "AUTH-006": "pass", "AUTH-007": "pass", "AUTH-008": "pass", "IDN-012": "pass",
    "CLU-001": "pass", "CLU-004": "pass", "CLU-005": "pass",
    "NET-001": "pass", "NET-002": "not_applicable", "NET-003": "pass", "NET-005": "pass", "NET-006": "pass",
    "NODE-001": "pass", "NODE-002": "pass", "NODE-003": "pass",
    "WID-001": "pass", "WID-002": "pass", "WID-003": "pass", "WID-004": "pass",
}
# Inside the cluster (its Kubernetes API): the estate gives no objects, so each cluster is an
# empty one (only what every API server holds, no aws-auth ConfigMap; the scan's demo
# thresholds set registries and ports): nothing fails, everything is judged.
DATA_PLANE = [f"WKL-{i:03}" for i in range(1, 17)] + ["K8S-001", "K8S-002", "K8S-003", "K8S-004"]
DATA_PLANE_WHY = "data plane: an empty cluster (no Kubernetes objects in the estate)"


def cluster(acct, region, name, why, expect=None, public=None, nodegroup=True, lt_imds=GOOD_IMDS,
            ng_instances_imds=None, entries=(), irsa=(), compute=None, mode="API", objects=None):
    """A hardened cluster (private endpoint, access entries only, KMS, audit logs, IRSA for the
    VPC CNI, one managed node group on a launch template requiring IMDSv2 with hop limit 1),
    changed as the case says. `expect`: the verdicts the case changes, with why."""
    idx = len(clusters) + 1
    oidc_id = hexid(0xE0000 + idx)
    host = f"oidc.eks.{region}.amazonaws.com/id/{oidc_id}"
    provider = acct.arn("oidc-provider", host)
    acct.providers.append({"Arn": provider, "ClientIDList": ["sts.amazonaws.com"],
                           "ThumbprintList": ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"], "CreateDate": "2026-01-10T09:00:00Z"})

    def web_trust(sub, aud="sts.amazonaws.com", op="StringEquals", principal=None):
        cond = {op: {f"{host}:sub": sub}}
        if aud:
            cond.setdefault("StringEquals", {})[f"{host}:aud"] = aud
        return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal or {"Federated": provider},
                                                         "Action": "sts:AssumeRoleWithWebIdentity", "Condition": cond}]}

    cni_role = acct.role(f"{name}-vpc-cni", web_trust("system:serviceaccount:kube-system:aws-node"), ["AmazonEKS_CNI_Policy"], path="/irsa/")
    for role_name, trust in irsa:
        acct.role(role_name, trust(web_trust, host, provider), path="/irsa/")
    node = acct.node_role(f"{name}-node")
    access = [
        {"accessEntry": {"principalArn": acct.arn("role", "platform-admins"), "kubernetesGroups": [], "type": "STANDARD",
                         "createdAt": "2026-01-10T10:00:00Z", "modifiedAt": "2026-01-10T10:00:00Z"},
         "accessPolicies": [{"policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                             "accessScope": {"type": "cluster", "namespaces": []}, "associatedAt": "2026-01-10T10:00:01Z",
                             "modifiedAt": "2026-01-10T10:00:01Z"}]},
    ]
    ngs = []
    if nodegroup:
        access.append({"accessEntry": {"principalArn": node, "kubernetesGroups": ["system:nodes"], "type": "EC2_LINUX",
                                       "username": "system:node:{{EC2PrivateDNSName}}",
                                       "createdAt": "2026-01-10T10:00:00Z", "modifiedAt": "2026-01-10T10:00:00Z"}})
        ng = {"nodegroupName": "apps", "version": "1.33", "status": "ACTIVE", "capacityType": "ON_DEMAND",
              "createdAt": "2026-01-10T10:05:00Z", "modifiedAt": "2026-01-10T10:05:00Z",
              "scalingConfig": {"minSize": 1, "maxSize": 3, "desiredSize": 1}, "instanceTypes": ["m6i.large"],
              "subnets": ["subnet-0aa"], "amiType": "AL2023_x86_64_STANDARD", "nodeRole": node,
              "health": {"issues": []}, "tags": {}}
        if lt_imds is not None:
            lt = acct.launch_template(region, f"{name}-apps", lt_imds)
            ng["launchTemplate"] = {"name": f"{name}-apps", "version": "1", "id": lt}
        ngs.append(ng)
        acct.instance(region, {"eks:cluster-name": name, "eks:nodegroup-name": "apps", f"kubernetes.io/cluster/{name}": "owned"},
                      ng_instances_imds or GOOD_IMDS, node)
    for kind, role in entries:
        access.append({"accessEntry": {"principalArn": role, "kubernetesGroups": [], "type": kind,
                                       "createdAt": "2026-01-10T10:00:00Z", "modifiedAt": "2026-01-10T10:00:00Z"}})
    vpc = {"subnetIds": ["subnet-0aa", "subnet-0bb"], "securityGroupIds": [], "vpcId": "vpc-0aa",
           "endpointPublicAccess": False, "endpointPrivateAccess": True, "publicAccessCidrs": ["0.0.0.0/0"]}
    if public is not None:
        vpc.update(endpointPublicAccess=True, publicAccessCidrs=public)
    acct.regional[region]["clusters"].append({
        "cluster": {
            "name": name, "createdAt": "2026-01-10T09:45:00.000Z", "version": "1.33",
            "endpoint": f"https://{oidc_id}.gr7.{region}.eks.amazonaws.com",
            "roleArn": acct.arn("role", "eks-cluster-role"), "resourcesVpcConfig": vpc,
            "kubernetesNetworkConfig": {"serviceIpv4Cidr": "172.20.0.0/16", "ipFamily": "ipv4"},
            "logging": {"clusterLogging": [{"types": ["api", "audit", "authenticator"], "enabled": True}]},
            "identity": {"oidc": {"issuer": f"https://{host}"}}, "status": "ACTIVE",
            "certificateAuthority": {"data": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSURCVENDQWUyZ0F3SUJBZ0lJZGVtby0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K"},
            "platformVersion": "eks.14", "tags": {"case": name},
            "encryptionConfig": [{"resources": ["secrets"], "provider": {"keyArn": f"arn:aws:kms:{region}:{acct.id}:key/6f1c2d3e-4b5a-4968-8776-a5b4c3d2e1f0"}}],
            "health": {"issues": []}, "accessConfig": {"bootstrapClusterCreatorAdminPermissions": False, "authenticationMode": mode},
            "upgradePolicy": {"supportType": "STANDARD"}},
        "nodegroups": ngs, "accessEntries": access,
        "addons": [{"addonName": "vpc-cni", "status": "ACTIVE", "addonVersion": "v1.20.4-eksbuild.1", "health": {"issues": []},
                    "createdAt": "2026-01-10T10:01:00Z", "modifiedAt": "2026-01-10T10:01:00Z", "serviceAccountRoleArn": cni_role,
                    "tags": {}, "configurationValues": '{"enableNetworkPolicy":"true"}'}],
    })
    if compute is not None:  # EKS Auto Mode: DescribeCluster's three capabilities
        body = acct.regional[region]["clusters"][-1]["cluster"]
        body["computeConfig"] = compute
        body["storageConfig"] = {"blockStorage": {"enabled": compute.get("enabled", False)}}
        body["kubernetesNetworkConfig"]["elasticLoadBalancing"] = {"enabled": compute.get("enabled", False)}
    if mode == "CONFIG_MAP":  # EKS keeps no access entries in this mode
        access.clear()
    if objects:  # what the cluster's Kubernetes API serves (else an empty cluster)
        kubernetes.append({"cluster": f"arn:aws:eks:{region}:{acct.id}:cluster/{name}", "objects": objects})
    clusters.append(name)
    verdicts = {k: (v, "hardened baseline") for k, v in BASE_VERDICTS.items()}
    for check, status in (expect or {}).items():
        verdicts[check] = (status, why)
    for check in DATA_PLANE:
        verdicts.setdefault(check, ("pass", DATA_PLANE_WHY))
    for check, (status, note) in sorted(verdicts.items()):
        truth.append((check, name, status, note))
    return name


def build():
    policies, versions = managed_policies()
    a1, a2, a3, a4 = (Account(A1, ["us-east-1", "us-west-2"]), Account(A2, ["us-east-1"]), Account(A3, ["us-east-1"]),
                      Account(A4, ["us-east-1"]))
    for a in (a1, a2, a3, a4):
        a.role("kubeposture-reader", {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A1}:user/kubeposture-scanner"}, "Action": "sts:AssumeRole"}]}, ["SecurityAudit"])
        a.role("eks-cluster-role", {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}]}, ["AmazonEKSClusterPolicy"])
        a.role("platform-admins", {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{a.id}:root"}, "Action": "sts:AssumeRole"}]})
    E1 = "us-east-1"
    owned = lambda name: {f"kubernetes.io/cluster/{name}": "owned"}  # noqa: E731

    # ── item 6: every kind of node ─────────────────────────────────────────────────────────
    cluster(a1, E1, "ng-template-hardened", "managed node group on a launch template: IMDSv2, hop 1")
    cluster(a1, E1, "ng-template-hop2", "managed node group's launch template lets tokens hop to pods (hop limit 2)",
            {"NODE-001": "fail"}, lt_imds={"HttpTokens": "required", "HttpPutResponseHopLimit": 2, "HttpEndpoint": "enabled"})
    cluster(a1, E1, "ng-no-template-imdsv1", "managed node group without launch template: running nodes answer IMDSv1",
            {"NODE-001": "fail"}, lt_imds=None, ng_instances_imds={"State": "applied", "HttpTokens": "optional", "HttpPutResponseHopLimit": 1, "HttpEndpoint": "enabled"})

    n = "self-asg-imdsv1"
    cluster(a1, E1, n, "self-managed Auto Scaling group launched from a template allowing IMDSv1", {"NODE-001": "fail"})
    lt = a1.launch_template(E1, f"{n}-workers", {"HttpTokens": "optional", "HttpPutResponseHopLimit": 1, "HttpEndpoint": "enabled"})
    role = a1.node_role(f"{n}-self-node")
    for _ in range(2):
        a1.instance(E1, {**owned(n), "aws:autoscaling:groupName": f"{n}-workers"}, {**GOOD_IMDS, "HttpTokens": "optional"}, role, lt=lt)

    n = "self-shared-admin-role"
    cluster(a1, E1, n, "standalone instance tagged kubernetes.io/cluster/NAME=shared whose profile's role has AdministratorAccess",
            {"NODE-002": "fail"})
    a1.instance(E1, {f"kubernetes.io/cluster/{n}": "shared"}, GOOD_IMDS,
                a1.node_role(f"{n}-admin-node", NODE_POLICIES + ["AdministratorAccess"]))

    n = "karpenter-hop2"
    cluster(a1, E1, n, "Karpenter nodes (karpenter.sh/nodepool) with hop limit 2", {"NODE-001": "fail"})
    a1.instance(E1, {**owned(n), "eks:eks-cluster-name": n, "karpenter.sh/nodepool": "default"},
                {**GOOD_IMDS, "HttpPutResponseHopLimit": 2}, a1.node_role(f"{n}-karpenter-node"))

    n = "karpenter-cni-role"
    cluster(a1, E1, n, "Karpenter nodes whose role carries AmazonEKS_CNI_Policy", {"NODE-003": "fail"})
    a1.instance(E1, {**owned(n), "eks:eks-cluster-name": n, "karpenter.sh/nodepool": "batch"}, GOOD_IMDS,
                a1.node_role(f"{n}-karpenter-node", NODE_POLICIES + ["AmazonEKS_CNI_Policy"]))

    n = "automode-passrole"
    cluster(a1, E1, n, "Auto Mode nodes whose role can pass roles to new instances (iam:PassRole + ec2:RunInstances)",
            {"NODE-002": "fail"})
    a1.instance(E1, {"aws:eks:cluster-name": n, "eks:kubernetes-node-pool-name": "general-purpose"}, GOOD_IMDS,
                a1.node_role(f"{n}-auto-node", ["AmazonEKSWorkerNodePolicy"], {"launch": [
                    {"Effect": "Allow", "Action": "iam:PassRole", "Resource": f"arn:aws:iam::{A1}:role/app-*"},
                    {"Effect": "Allow", "Action": ["ec2:RunInstances", "ec2:CreateTags"], "Resource": "*"}]}))

    n = "automode-imdsv1"
    cluster(a1, E1, n, "Auto Mode node answering IMDSv1", {"NODE-001": "fail"})
    a1.instance(E1, {"aws:eks:cluster-name": n, "eks:kubernetes-node-pool-name": "system"}, {**GOOD_IMDS, "HttpTokens": "optional"},
                a1.node_role(f"{n}-auto-node", ["AmazonEKSWorkerNodePolicy"]))

    n = "entry-linux-s3-wildcard"
    cluster(a1, E1, n, "EC2_LINUX access entry's role allows s3:* on arn:aws:s3:::* (every bucket)", {"NODE-002": "fail"},
            entries=[("EC2_LINUX", a1.node_role(f"{n}-extra-node", NODE_POLICIES, {"buckets": [
                {"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::*"]}]}))])

    n = "entry-windows-assume-any"
    cluster(a1, E1, n, "EC2_WINDOWS access entry's role may sts:AssumeRole any role", {"NODE-002": "fail"},
            entries=[("EC2_WINDOWS", a1.node_role(f"{n}-win-node", NODE_POLICIES, {"hop": [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}))])

    n = "entry-linux-cni"
    cluster(a1, E1, n, "EC2_LINUX access entry's role carries AmazonEKS_CNI_Policy", {"NODE-003": "fail"},
            entries=[("EC2_LINUX", a1.node_role(f"{n}-extra-node", NODE_POLICIES + ["AmazonEKS_CNI_Policy"]))])

    n = "entry-linux-policy-version"
    cluster(a1, E1, n, "EC2_LINUX access entry's role may iam:CreatePolicyVersion (rewrite its own policies)",
            {"NODE-002": "fail"},
            entries=[("EC2_LINUX", a1.node_role(f"{n}-extra-node", NODE_POLICIES, {"policies": [
                {"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": f"arn:aws:iam::{A1}:policy/node-*"}]}))])

    # EKS Hybrid Nodes (on-premises machines, credentials through SSM or IAM Roles Anywhere) and
    # SageMaker HyperPod nodes sign in with the role of a HYBRID_LINUX / HYPERPOD_LINUX entry.
    ssm_trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ssm.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    n = "entry-hybrid-admin"
    cluster(a1, E1, n, "HYBRID_LINUX access entry's role (EKS Hybrid Nodes) has AdministratorAccess", {"NODE-002": "fail"},
            entries=[("HYBRID_LINUX", a1.role(f"{n}-hybrid-node", ssm_trust, NODE_POLICIES + ["AdministratorAccess"]))])
    n = "entry-hybrid-cni"
    cluster(a1, E1, n, "HYBRID_LINUX access entry's role carries AmazonEKS_CNI_Policy", {"NODE-003": "fail"},
            entries=[("HYBRID_LINUX", a1.role(f"{n}-hybrid-node", ssm_trust, NODE_POLICIES + ["AmazonEKS_CNI_Policy"]))])
    n = "entry-hyperpod-s3-wildcard"
    cluster(a1, E1, n, "HYPERPOD_LINUX access entry's role allows s3:* on every bucket", {"NODE-002": "fail"},
            entries=[("HYPERPOD_LINUX", a1.node_role(f"{n}-hyperpod-node", NODE_POLICIES, {"buckets": [
                {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))])
    n = "entry-unknown-type"
    cluster(a1, E1, n, "an access entry of a type the scanner does not know may be a node's: its role is unknown, never skipped",
            {"NODE-002": "unknown", "NODE-003": "unknown"},
            entries=[("FUTURE_NODES_LINUX", a1.node_role(f"{n}-future-node", NODE_POLICIES))])

    # EKS Auto Mode scaled to zero: no instance runs, computeConfig.nodeRoleArn is the node role.
    def auto_mode(role, enabled=True):
        return {"enabled": enabled, "nodePools": ["general-purpose", "system"] if enabled else [], "nodeRoleArn": role}

    n = "automode-idle-admin-role"
    cluster(a1, E1, n, "Auto Mode with no instance running: computeConfig.nodeRoleArn has AdministratorAccess",
            {"NODE-001": "not_applicable", "NODE-002": "fail"}, nodegroup=False,
            compute=auto_mode(a1.node_role(f"{n}-auto-node", ["AmazonEKSWorkerNodePolicy", "AdministratorAccess"])))
    n = "automode-idle-cni-role"
    cluster(a1, E1, n, "Auto Mode with no instance running: computeConfig.nodeRoleArn carries AmazonEKS_CNI_Policy",
            {"NODE-001": "not_applicable", "NODE-003": "fail"}, nodegroup=False,
            compute=auto_mode(a1.node_role(f"{n}-auto-node", ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy"])))
    n = "automode-compute-off"
    cluster(a1, E1, n, "computeConfig enabled false: its leftover nodeRoleArn launches no node (no node at all)",
            {"NODE-001": "not_applicable", "NODE-002": "not_applicable", "NODE-003": "not_applicable"}, nodegroup=False,
            compute=auto_mode(a1.node_role(f"{n}-auto-node", ["AdministratorAccess"]), enabled=False))

    n = "entry-standard-not-node"
    cluster(a1, E1, n, "a STANDARD access entry's admin role is not a node role (NODE-002 passes)",
            entries=[("STANDARD", a1.role(f"{n}-ci", {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A1}:root"}, "Action": "sts:AssumeRole"}]}, ["AdministratorAccess"]))])

    n = "decoy-tags-ignored"
    cluster(a1, E1, n, "instances of another cluster, a stopped node and a tag value other than owned/shared are not this cluster's nodes")
    bad = {**GOOD_IMDS, "HttpTokens": "optional", "HttpPutResponseHopLimit": 2}
    other = a1.node_role(f"{n}-other-admin", ["AdministratorAccess"])
    a1.instance(E1, {f"kubernetes.io/cluster/{n}-2": "owned", "eks:cluster-name": f"{n}-2"}, bad, other)
    a1.instance(E1, owned(n), bad, other, state="stopped")
    a1.instance(E1, {f"kubernetes.io/cluster/{n}": "ignored-value"}, bad, other)

    n = "self-no-profile"
    cluster(a1, E1, n, "self-managed instance without an instance profile: IMDS judged, no role to judge")
    a1.instance(E1, {**owned(n), "aws:autoscaling:groupName": f"{n}-asg"}, GOOD_IMDS)

    n = "fargate-only"
    cluster(a1, E1, n, "no nodes at all (Fargate only)",
            {"NODE-001": "not_applicable", "NODE-002": "not_applicable", "NODE-003": "not_applicable"}, nodegroup=False)

    # Discovery that fails is unknown, never a shorter list: us-west-2 denies DescribeInstances.
    cluster(a1, "us-west-2", "instances-denied", "DescribeInstances denied: nodes outside node groups cannot be listed",
            {"NODE-001": "unknown", "NODE-002": "unknown", "NODE-003": "unknown"})
    a1.faults.append({"operation": "ec2:DescribeInstances", "account": A1, "region": "us-west-2", "status": 403,
                      "code": "UnauthorizedOperation", "message": "You are not authorized to perform this operation. User: "
                      f"arn:aws:sts::{A1}:assumed-role/kubeposture-reader/kubeposture is not authorized to perform: ec2:DescribeInstances"})

    # ── item 1: allow-lists judged by the union of their prefixes ─────────────────────────
    cluster(a1, E1, "net-halves-open", "publicAccessCidrs 0.0.0.0/1 + 128.0.0.0/1: together every IPv4 address",
            {"NET-001": "fail", "NET-002": "fail", "NET-003": "fail"}, public=["0.0.0.0/1", "128.0.0.0/1"])
    cluster(a1, E1, "net-many-splits-open", "sixteen /4 prefixes covering 0.0.0.0/0",
            {"NET-001": "fail", "NET-002": "fail", "NET-003": "fail"}, public=[f"{i * 16}.0.0.0/4" for i in range(16)])
    cluster(a1, E1, "net-one-office", "public endpoint for one office /24",
            {"NET-002": "pass", "NET-003": "fail"}, public=["203.0.113.0/24"])
    cluster(a1, E1, "net-public-no-cidrs", "public endpoint with publicAccessCidrs 0.0.0.0/0",
            {"NET-001": "fail", "NET-002": "fail", "NET-003": "fail"}, public=["0.0.0.0/0"])

    # NET-006: a policy engine counts only while its add-on is ACTIVE (DescribeAddon's status).
    def addons_of(name):
        return next(cl for cl in a1.regional[E1]["clusters"] if cl["cluster"]["name"] == name)["addons"]

    def engine(name, status):
        return {"addonName": name, "status": status, "addonVersion": "v3.29.2-eksbuild.1", "health": {"issues": []},
                "createdAt": "2026-01-10T10:02:00Z", "modifiedAt": "2026-01-10T10:02:00Z", "tags": {}}

    n = cluster(a1, E1, "net-engine-create-failed", "vpc-cni without network policy; the calico add-on is CREATE_FAILED "
                "(nothing installed enforces NetworkPolicy)", {"NET-006": "fail"})
    addons_of(n)[0]["configurationValues"] = "{}"
    addons_of(n).append(engine("calico", "CREATE_FAILED"))
    n = cluster(a1, E1, "net-engine-degraded", "vpc-cni without network policy; the cilium add-on is DEGRADED "
                "(whether it enforces cannot be told)", {"NET-006": "unknown"})
    addons_of(n)[0]["configurationValues"] = "{}"
    addons_of(n).append(engine("cilium", "DEGRADED"))
    n = cluster(a1, E1, "net-cni-policy-degraded", "vpc-cni sets enableNetworkPolicy but the add-on is DEGRADED",
                {"NET-006": "unknown"})
    addons_of(n)[0]["status"] = "DEGRADED"

    # The SDK reads an unstated boolean as false: an answer without the endpoint flags is unknown.
    n = cluster(a1, E1, "net-flags-unstated", "DescribeCluster states neither endpointPublicAccess nor "
                "endpointPrivateAccess (publicAccessCidrs 0.0.0.0/0): not a private endpoint, unknown",
                {"NET-001": "unknown", "NET-002": "unknown", "NET-003": "unknown", "NET-005": "unknown"})
    vpc = next(cl for cl in a1.regional[E1]["clusters"] if cl["cluster"]["name"] == n)["cluster"]["resourcesVpcConfig"]
    del vpc["endpointPublicAccess"], vpc["endpointPrivateAccess"]

    # AmazonEKSAdminPolicy is cluster admin at cluster scope only: a scope type this build does
    # not know leaves its holder undetermined, never left out of the admins.
    n = cluster(a1, E1, "entry-admin-policy-odd-scope", "an access entry holds AmazonEKSAdminPolicy at an access scope "
                "type this build does not know: whether it is cluster admin cannot be told",
                {"AUTH-007": "unknown", "IDN-012": "unknown"})
    next(cl for cl in a1.regional[E1]["clusters"] if cl["cluster"]["name"] == n)["accessEntries"].append(
        {"accessEntry": {"principalArn": a1.arn("role", "ops"), "kubernetesGroups": [], "type": "STANDARD",
                         "createdAt": "2026-01-10T10:00:00Z", "modifiedAt": "2026-01-10T10:00:00Z"},
         "accessPolicies": [{"policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy",
                             "accessScope": {"type": "organization", "namespaces": []}, "associatedAt": "2026-01-10T10:00:01Z",
                             "modifiedAt": "2026-01-10T10:00:01Z"}]})

    # ── item 5: IRSA trust by IAM's matching semantics ────────────────────────────────────
    def trusting(sub, op="StringLike", aud="sts.amazonaws.com", principal=None):
        return lambda web, host, provider: web(sub, aud, op, principal)

    cluster(a1, E1, "irsa-team-prefix", "sub system:serviceaccount:team-* matches service accounts of many namespaces",
            {"WID-001": "fail", "WID-002": "fail"}, irsa=[("team-prefix", trusting("system:serviceaccount:team-*"))])
    cluster(a1, E1, "irsa-ns-any-sa", "sub system:serviceaccount:payments:* matches every service account of one namespace",
            {"WID-002": "fail"}, irsa=[("payments-any-sa", trusting("system:serviceaccount:payments:*"))])
    cluster(a1, E1, "irsa-question-marks", "sub system:serviceaccount:app?:api: ? matches namespaces app1, app2, …",
            {"WID-001": "fail"}, irsa=[("app-digit", trusting("system:serviceaccount:app?:api"))])
    cluster(a1, E1, "irsa-stringequals-star", "StringEquals takes * literally: one service account",
            irsa=[("literal-star", trusting("system:serviceaccount:payments:*", op="StringEquals"))])
    cluster(a1, E1, "irsa-principal-star", "Principal * with the issuer's sub condition is an IRSA role too; any namespace",
            {"WID-001": "fail", "WID-002": "fail"}, irsa=[("star-principal", trusting("system:serviceaccount:*", principal="*"))])
    cluster(a1, E1, "irsa-policy-variable", "sub system:serviceaccount:${aws:PrincipalTag/team}:*: IAM substitutes "
            "the variable per request, read literally it matches nothing (a wrong pass)", {"WID-001": "unknown", "WID-002": "unknown"},
            irsa=[("tag-team", trusting("system:serviceaccount:${aws:PrincipalTag/team}:*"))])
    cluster(a1, E1, "irsa-no-audience", "sub pinned to one service account, no aud condition",
            {"WID-003": "fail"}, irsa=[("no-aud", trusting("system:serviceaccount:tools:toolbox", op="StringEquals", aud=None))])

    # Every instance of a pool is judged: one not launched from a template is read by itself.
    n = "self-asg-lc-leftover"
    cluster(a1, E1, n, "self-managed Auto Scaling group moved from a launch configuration to a hardened template: "
            "an instance still running from the launch configuration (no template tag) answers IMDSv1", {"NODE-001": "fail"})
    lt = a1.launch_template(E1, f"{n}-workers", GOOD_IMDS)
    role = a1.node_role(f"{n}-self-node")
    a1.instance(E1, {**owned(n), "aws:autoscaling:groupName": f"{n}-workers"}, GOOD_IMDS, role, lt=lt)
    a1.instance(E1, {**owned(n), "aws:autoscaling:groupName": f"{n}-workers"},
                {**GOOD_IMDS, "HttpTokens": "optional", "HttpPutResponseHopLimit": 2}, role)

    # aws-auth as the authenticator reads it: Go's JSON decoding ignores the case of field names.
    cluster(a1, E1, "aws-auth-capitalised-groups", "aws-auth (read alongside access entries) maps the ops role with "
            "`Groups: [system:masters]`: the authenticator matches field names without regard to case",
            {"K8S-002": "fail", "AUTH-005": "fail"}, mode="API_AND_CONFIG_MAP", objects=[
                {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "aws-auth", "namespace": "kube-system"},
                 "data": {"mapRoles": f"- rolearn: {a1.arn('role', 'ops')}\n  username: ops\n  Groups:\n    - system:masters\n"}}])

    # CONFIG_MAP: no access entries exist (EKS refuses to list them); aws-auth holds the admins.
    n = "configmap-only"
    cluster(a1, E1, n, "authenticationMode CONFIG_MAP: no access entries to judge, aws-auth maps the platform role to "
            "system:masters (the inventory lists it)",
            {"AUTH-005": "fail", "AUTH-006": "not_applicable", "AUTH-007": "not_applicable", "K8S-002": "fail"},
            mode="CONFIG_MAP", objects=[
                {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "aws-auth", "namespace": "kube-system"},
                 "data": {"mapRoles": f"- rolearn: {a1.arn('role', f'{n}-node')}\n  username: system:node:{{{{EC2PrivateDNSName}}}}\n"
                                      f"  groups:\n    - system:bootstrappers\n    - system:nodes\n"
                                      f"- rolearn: {a1.arn('role', 'platform-admins')}\n  username: platform-admin\n"
                                      f"  groups:\n    - system:masters\n"}}])

    # Kubernetes RBAC: a binding someone added to a default role counts (only system: roles are left out).
    cluster(a1, E1, "crb-cluster-admin-to-group", "a ClusterRoleBinding grants the default cluster-admin ClusterRole "
            "to the ops group (not a broad group, so K8S-001 passes)", {"K8S-004": "fail"}, objects=[
                {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "ops-admins"},
                 "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
                 "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "ops"}]}])

    # An unparseable trust document is unknown for every cluster of its account, never dropped.
    n = cluster(a2, E1, "irsa-unparseable-trust", "a trust document that is not JSON makes WID-001…003 unknown",
                {"WID-001": "unknown", "WID-002": "unknown", "WID-003": "unknown"})
    a2.role("hand-edited", f"Version: 2012-10-17; Statement: allow oidc.eks.us-east-1.amazonaws.com/id/{hexid(0xE0000 + len(clusters))}")

    # IAM compares a provider's URL as a URL: the host ignores case, the path (/id/ID) does not.
    n = cluster(a3, E1, "irsa-provider-id-case", "the only IAM OIDC provider spells the issuer's id in lower case: "
                "no provider for the issuer (WID-004 fails), so no role can be assumed with its tokens",
                {"WID-001": "not_applicable", "WID-002": "not_applicable", "WID-003": "not_applicable", "WID-004": "fail"})
    provider = a3.providers[-1]
    head, _, oidc_id = provider["Arn"].rpartition("/")
    provider["Arn"] = f"{head}/{oidc_id.lower()}"

    truth.append(("WID-004", A1, "pass", "every IAM OIDC provider belongs to a cluster"))
    truth.append(("WID-004", A2, "pass", "every IAM OIDC provider belongs to a cluster"))
    truth.append(("WID-004", A3, "fail", "the provider with a lower-cased id matches no cluster's issuer (orphaned)"))

    # A trust document repeating a key: a JSON reader keeps the last (here the scoped subject),
    # IAM's reading is not documented — the document is ambiguous, never read one way.
    n = cluster(a4, E1, "irsa-duplicate-sub-key", "a trust policy's StringLike repeats its :sub key (every namespace, "
                "then one service account): ambiguous, unknown", {"WID-001": "unknown", "WID-002": "unknown", "WID-003": "unknown"})
    host = a4.providers[-1]["Arn"].split(":oidc-provider/")[1]
    a4.role("repeated-sub", '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"%s"},'
            '"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"%s:sub":"system:serviceaccount:*",'
            '"%s:sub":"system:serviceaccount:orders:orders-api"},"StringEquals":{"%s:aud":"sts.amazonaws.com"}}}]}'
            % (a4.providers[-1]["Arn"], host, host, host), path="/irsa/")
    truth.append(("WID-004", A4, "pass", "every IAM OIDC provider belongs to a cluster"))

    accounts = []
    for a in (a1, a2, a3, a4):
        acct = {"accountId": a.id, "alias": f"labeled-{a.id}", "regions": a.regions,
                "assumableRoles": [{"arn": a.arn("role", "kubeposture-reader")}],
                "iam": {"oidcProviders": a.providers, "roles": a.roles, "policies": copy.deepcopy(policies)},
                "regional": a.regional}
        if a is a1:
            acct["credentials"] = [{"accessKeyId": "AKIALABELEDNODES0001", "secretAccessKey": "labeled/only+secret/access+key0000000000",
                                    "arn": f"arn:aws:iam::{A1}:user/kubeposture-scanner", "userId": "AIDALABELEDNODES0001"}]
        accounts.append(acct)
    estate = {"estate": "v1", "aws": {"clusterVersions": versions, "accounts": accounts},
              "faults": a1.faults}
    if kubernetes:
        estate["kubernetes"] = {"clusters": kubernetes}
    head = ("# Labeled estate: every kind of EKS node, node-role grants, endpoint allow-lists and IRSA\n"
            "# trust, one cluster per case, with eks-nodes.truth.csv beside it. Generated by\n"
            "# eks_nodes_gen.py, which says what each case is and what every check must answer; edit the\n"
            "# generator, not this file.\n")
    out = sys.argv[1] if len(sys.argv) > 1 else HERE
    labeled_io.write(out, "eks-nodes", head, estate, truth)


if __name__ == "__main__":
    build()
