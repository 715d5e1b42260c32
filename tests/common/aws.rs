//! Builders for AWS estates in their real shapes: two accounts, clusters that pass every EKS
//! check unless a test breaks them.
#![allow(dead_code)]

use serde_json::{Value, json};

pub const ACCT_A: &str = "111111111111";
pub const ACCT_B: &str = "222222222222";
pub const AKID: &str = "AKIATESTSCANNER00001";
pub const SECRET: &str = "aws+test/secret+that+must+never+be+printed";
pub const EXTERNAL_ID: &str = "kp-test-external-id";

pub fn reader(account: &str) -> String {
    format!("arn:aws:iam::{account}:role/kubeposture-reader")
}

/// The issuer of a cluster: one OIDC id per account, region and name.
pub fn issuer(account: &str, region: &str, name: &str) -> String {
    let id: String = format!("{account}{region}{name}").bytes().map(|b| format!("{:X}", b % 16)).take(32).collect();
    format!("https://oidc.eks.{region}.amazonaws.com/id/{id}")
}

pub fn provider_arn(account: &str, issuer: &str) -> String {
    format!("arn:aws:iam::{account}:oidc-provider/{}", issuer.trim_start_matches("https://"))
}

fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(k) {
                    Some(slot) if v.is_object() => merge(slot, v),
                    _ => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, o) => *b = o.clone(),
    }
}

/// A hardened cluster (DescribeCluster shape) with one good node group, an admin access entry
/// and vpc-cni network policy; `over` is merged into the `cluster` object.
pub fn cluster(account: &str, region: &str, name: &str, over: Value) -> Value {
    let mut c = json!({
        "name": name,
        "version": "1.33",
        "roleArn": format!("arn:aws:iam::{account}:role/eks-cluster"),
        "createdAt": "2026-01-10T10:00:00Z",
        "status": "ACTIVE",
        "resourcesVpcConfig": {"subnetIds": ["subnet-1"], "endpointPublicAccess": false, "endpointPrivateAccess": true, "publicAccessCidrs": ["0.0.0.0/0"]},
        "identity": {"oidc": {"issuer": issuer(account, region, name)}},
        "logging": {"clusterLogging": [{"types": ["api", "audit", "authenticator"], "enabled": true}]},
        "encryptionConfig": [{"resources": ["secrets"], "provider": {"keyArn": format!("arn:aws:kms:{region}:{account}:key/1")}}],
        "accessConfig": {"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": false},
        "upgradePolicy": {"supportType": "STANDARD"}
    });
    merge(&mut c, &over);
    json!({
        "cluster": c,
        "nodegroups": [{"nodegroupName": "ng", "nodeRole": format!("arn:aws:iam::{account}:role/eks-node"),
                        "launchTemplate": {"id": lt_id(region, "good"), "version": "1"}, "amiType": "AL2023_x86_64_STANDARD"}],
        "accessEntries": [{"accessEntry": {"principalArn": format!("arn:aws:iam::{account}:role/admins")},
                           "accessPolicies": [{"policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", "accessScope": {"type": "cluster"}}]}],
        "addons": [{"addonName": "vpc-cni", "addonVersion": "v1.20.4-eksbuild.1", "configurationValues": "{\"enableNetworkPolicy\":\"true\"}"}]
    })
}

pub fn lt_id(region: &str, kind: &str) -> String {
    let r = if region.starts_with("us") { "1" } else { "2" };
    let k = match kind {
        "good" => "a",
        "hop2" => "b",
        _ => "c",
    };
    format!("lt-0{r}{k}00000000000000")
}

/// Launch templates every region has: good (IMDSv2, hop 1), hop2, imdsv1.
pub fn launch_templates(region: &str) -> Value {
    let lt = |kind: &str, tokens: &str, hops: u32| {
        json!({"LaunchTemplateId": lt_id(region, kind), "LaunchTemplateName": format!("nodes-{kind}"),
               "Versions": [{"VersionNumber": 1, "LaunchTemplateData": {"MetadataOptions": {"HttpTokens": tokens, "HttpPutResponseHopLimit": hops, "HttpEndpoint": "enabled"}}}]})
    };
    json!([lt("good", "required", 1), lt("hop2", "required", 2), lt("imdsv1", "optional", 1)])
}

fn statement(actions: &[&str]) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]})
}

/// An IRSA role trusting `issuer` with `condition` (None: no condition at all).
pub fn irsa_role(account: &str, name: &str, issuer: &str, condition: Option<Value>) -> Value {
    let mut st = json!({"Effect": "Allow", "Principal": {"Federated": provider_arn(account, issuer)}, "Action": "sts:AssumeRoleWithWebIdentity"});
    if let Some(c) = condition {
        st["Condition"] = c;
    }
    json!({"Role": {"RoleName": name, "Arn": format!("arn:aws:iam::{account}:role/{name}"),
                    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [st]}}})
}

/// The good IRSA condition: one service account, audience sts.amazonaws.com.
pub fn scoped(issuer: &str) -> Value {
    let host = issuer.trim_start_matches("https://");
    json!({"StringEquals": {format!("{host}:sub"): "system:serviceaccount:apps:api", format!("{host}:aud"): "sts.amazonaws.com"}})
}

/// IAM of an account: the node role (worker-node policies), the cluster role, the OIDC
/// providers of `issuers`, and `roles` (IRSA roles etc.).
pub fn iam(account: &str, issuers: &[String], roles: Vec<Value>) -> Value {
    let svc = |s: &str| json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": s}, "Action": "sts:AssumeRole"}]});
    let managed = |name: &str, actions: &[&str]| {
        json!({"Policy": {"Arn": format!("arn:aws:iam::aws:policy/{name}"), "PolicyName": name},
               "Versions": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": statement(actions)}]})
    };
    let mut all = vec![
        json!({"Role": {"RoleName": "eks-node", "Arn": format!("arn:aws:iam::{account}:role/eks-node"), "AssumeRolePolicyDocument": svc("ec2.amazonaws.com")},
               "AttachedPolicies": [{"PolicyArn": "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"}],
               "InstanceProfiles": [{"InstanceProfileName": "eks-node", "Arn": format!("arn:aws:iam::{account}:instance-profile/eks-node")}]}),
        json!({"Role": {"RoleName": "eks-cluster", "Arn": format!("arn:aws:iam::{account}:role/eks-cluster"), "AssumeRolePolicyDocument": svc("eks.amazonaws.com")}}),
        json!({"Role": {"RoleName": "admins", "Arn": format!("arn:aws:iam::{account}:role/admins"), "AssumeRolePolicyDocument": svc("ec2.amazonaws.com")}}),
        json!({"Role": {"RoleName": "kubeposture-reader", "Arn": reader(account), "AssumeRolePolicyDocument": svc("ec2.amazonaws.com")}}),
    ];
    all.extend(roles);
    json!({
        "oidcProviders": issuers.iter().map(|i| json!({"Arn": provider_arn(account, i), "ClientIDList": ["sts.amazonaws.com"], "ThumbprintList": ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]})).collect::<Vec<_>>(),
        "roles": all,
        "policies": [
            managed("AmazonEKSWorkerNodePolicy", &["ec2:DescribeInstances", "eks:DescribeCluster"]),
            managed("AdministratorAccess", &["*"]),
        ]
    })
}

/// An account: `regional` maps region → clusters; launch templates are added per region.
pub fn account(id: &str, credentials: bool, regional: &[(&str, Vec<Value>)], iam: Value) -> Value {
    let mut regions = serde_json::Map::new();
    for (region, clusters) in regional {
        regions.insert(region.to_string(), json!({"clusters": clusters, "launchTemplates": launch_templates(region)}));
    }
    let mut a = json!({
        "accountId": id,
        "regions": regional.iter().map(|(r, _)| *r).collect::<Vec<_>>(),
        "assumableRoles": [{"arn": reader(id), "externalId": EXTERNAL_ID}],
        "iam": iam,
        "regional": regions
    });
    if credentials {
        a["credentials"] =
            json!([{"accessKeyId": AKID, "secretAccessKey": SECRET, "arn": format!("arn:aws:iam::{id}:user/scanner")}]);
    }
    a
}

pub fn cluster_versions() -> Value {
    json!([
        {"clusterVersion": "1.30", "versionStatus": "EXTENDED_SUPPORT", "endOfStandardSupportDate": "2026-06-23T00:00:00Z"},
        {"clusterVersion": "1.33", "versionStatus": "STANDARD_SUPPORT", "endOfStandardSupportDate": "2027-07-29T00:00:00Z", "defaultVersion": true},
        {"clusterVersion": "1.34", "versionStatus": "STANDARD_SUPPORT", "endOfStandardSupportDate": "2027-12-02T00:00:00Z"}
    ])
}

pub fn estate(accounts: Vec<Value>, faults: Value) -> Value {
    json!({"estate": "v1", "aws": {"clusterVersions": cluster_versions(), "accounts": accounts}, "faults": faults})
}
