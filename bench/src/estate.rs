//! A generated estate of the asked shape, in the clouds' wire shapes: AKS clusters in
//! subscriptions of one Entra tenant (role assignments, an admin group under PIM, Conditional
//! Access), EKS clusters in the accounts of one AWS organization (node groups with and without
//! launch templates, access entries, add-ons, IRSA roles). Clusters vary in four postures so
//! every check has passes and failures. Deterministic: the same shape gives the same estate.

use serde_json::{Value, json};

pub const TENANT: &str = "7d1c9a52-0000-4000-8000-00000000b001";
pub const CLIENT: &str = "5e0f2a7c-0000-4000-8000-00000000b002";
pub const SECRET: &str = "bench-only-client-secret";
pub const AKID: &str = "AKIAKUBEPOSTUREBENCH";
pub const AWS_SECRET: &str = "bench+only/secret+access+key+00000000000";
pub const ROLE: &str = "kubeposture-reader";

const AKS_APP: &str = "6dae42f8-4368-4678-94ff-3960e28e3630";
const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
const AKS_RBAC_CLUSTER_ADMIN: &str = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b";
const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
pub const ADMINS: &str = "a0000000-0000-4000-8000-0000000000a1";
const OWNER_USER: &str = "10000000-0000-4000-8000-000000000001";
const MEMBER_USER: &str = "10000000-0000-4000-8000-000000000002";
const ELIGIBLE_USER: &str = "10000000-0000-4000-8000-000000000003";
const SCANNER_SP: &str = "20000000-0000-4000-8000-000000000001";

pub const REGIONS: &[&str] = &["us-east-1", "eu-west-1", "us-west-2", "ap-southeast-1", "eu-central-1", "sa-east-1"];
pub const LOCATIONS: &[&str] = &["westeurope", "eastus"];
/// AWS-managed policies attached to every node role (read once per scan).
pub const NODE_POLICIES: &[&str] =
    &["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly", "AmazonEKS_CNI_Policy"];

/// How many clusters where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shape {
    pub aks: usize,
    pub per_subscription: usize,
    pub eks: usize,
    pub per_region: usize,
    pub regions: usize,
}

impl Shape {
    pub fn subscriptions(&self) -> usize {
        self.aks.div_ceil(self.per_subscription.max(1))
    }

    pub fn accounts(&self) -> usize {
        self.eks.div_ceil((self.per_region * self.regions).max(1))
    }

    /// Clusters of subscription `s`.
    pub fn aks_in(&self, s: usize) -> usize {
        self.aks.saturating_sub(s * self.per_subscription).min(self.per_subscription)
    }

    /// Clusters of account `a`, region index `r`.
    pub fn eks_in(&self, a: usize, r: usize) -> usize {
        let before = (a * self.regions + r) * self.per_region;
        self.eks.saturating_sub(before).min(self.per_region)
    }

    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.aks > 0 {
            parts.push(format!("{} AKS in {} subscription(s)", self.aks, self.subscriptions()));
        }
        if self.eks > 0 {
            parts.push(format!("{} EKS in {} account(s) × {} region(s)", self.eks, self.accounts(), self.regions));
        }
        format!("{} clusters ({})", self.aks + self.eks, parts.join(", "))
    }
}

pub fn subscription_id(s: usize) -> String {
    format!("00000000-0000-4000-8000-{s:012}")
}

pub fn account_id(a: usize) -> String {
    format!("{}", 100_000_000_000u64 + a as u64)
}

pub fn generate(shape: &Shape) -> Value {
    let mut e = json!({"estate": "v1"});
    if shape.aks > 0 {
        e["entra"] = json!({"tenants": [tenant()]});
        e["azure"] = azure(shape);
    }
    if shape.eks > 0 {
        e["aws"] = aws(shape);
    }
    e["kubernetes"] = json!({"clusters": kubernetes(shape)});
    e
}

/// What each cluster's Kubernetes API holds besides what every cluster has: a Deployment (two
/// pods through its ReplicaSet), its Service and ServiceAccount — hardened as Defender for
/// Containers asks in three postures of four, privileged and unbounded in the fourth.
fn kubernetes(shape: &Shape) -> Vec<Value> {
    let mut out = Vec::new();
    for s in 0..shape.subscriptions() {
        let sub = subscription_id(s);
        for i in (0..shape.aks_in(s)).filter(|i| aks_has_entra(*i)) {
            let id = format!(
                "/subscriptions/{sub}/resourceGroups/rg-{}/providers/Microsoft.ContainerService/managedClusters/aks-{s:03}-{i:04}",
                i % 5
            );
            out.push(json!({"cluster": id, "objects": workloads(i % 4 != 2)}));
        }
    }
    for a in 0..shape.accounts() {
        for (r, region) in REGIONS[..shape.regions].iter().enumerate() {
            for i in 0..shape.eks_in(a, r) {
                let arn = format!("arn:aws:eks:{region}:{}:cluster/{}", account_id(a), cluster_name(a, r, i));
                out.push(json!({"cluster": arn, "objects": workloads(i % 4 != 1)}));
            }
        }
    }
    out
}

fn workloads(hardened: bool) -> Vec<Value> {
    let meta = |name: &str| json!({"name": name, "namespace": "shop", "labels": {"app": "web"}});
    let container = if hardened {
        json!({"name": "web", "image": "contoso.azurecr.io/shop/web@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
               "ports": [{"containerPort": 8080}],
               "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}},
               "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "runAsNonRoot": true,
                                   "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}}})
    } else {
        json!({"name": "web", "image": "nginx:latest", "ports": [{"containerPort": 80}], "securityContext": {"privileged": true}})
    };
    vec![
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta("web"), "automountServiceAccountToken": false}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta("web"),
               "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                        "template": {"metadata": {"labels": {"app": "web"}},
                                     "spec": {"serviceAccountName": "web", "automountServiceAccountToken": !hardened, "containers": [container]}}}}),
        json!({"apiVersion": "v1", "kind": "Service", "metadata": meta("web"),
               "spec": {"type": "ClusterIP", "selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]}}),
    ]
}

fn tenant() -> Value {
    let user = |id: &str, name: &str| json!({"id": id, "displayName": name, "userPrincipalName": format!("{}@contoso.example", name.to_lowercase().replace(' ', "."))});
    let target = json!({"caller": "EndUser", "operations": ["All"], "level": "Assignment", "inheritableSettings": [], "enforcedSettings": []});
    let ca = |id: &str, apps: Value, groups: Value, controls: Value, hours: Option<u32>| {
        json!({
            "id": id, "displayName": id, "state": "enabled", "createdDateTime": "2026-01-01T00:00:00Z", "modifiedDateTime": null,
            "conditions": {
                "signInRiskLevels": [], "userRiskLevels": [], "clientAppTypes": ["all"], "platforms": null, "locations": null,
                "applications": {"includeApplications": apps, "excludeApplications": [], "includeUserActions": []},
                "users": {"includeUsers": [], "excludeUsers": [], "includeGroups": groups, "excludeGroups": [], "includeRoles": [], "excludeRoles": []}
            },
            "grantControls": {"operator": "AND", "builtInControls": controls, "customAuthenticationFactors": [], "termsOfUse": []},
            "sessionControls": hours.map(|h| json!({"signInFrequency": {"value": h, "type": "hours", "isEnabled": true, "frequencyInterval": "timeBased"}}))
        })
    };
    json!({
        "tenantId": TENANT,
        "displayName": "Contoso Bench",
        "clients": [{"clientId": CLIENT, "clientSecret": SECRET}],
        "users": [user(OWNER_USER, "Olivia Owner"), user(MEMBER_USER, "Max Member"), user(ELIGIBLE_USER, "Eli Eligible")],
        "groups": [{"id": ADMINS, "displayName": "aks-admins", "securityEnabled": true, "mailEnabled": false, "members": [MEMBER_USER]}],
        "servicePrincipals": [{"id": SCANNER_SP, "appId": CLIENT, "displayName": "kubeposture"}],
        "conditionalAccessPolicies": [
            ca("aks-compliant-device", json!([AKS_APP]), json!([ADMINS]), json!(["mfa", "compliantDevice"]), Some(4)),
            ca("all-apps-mfa", json!(["All"]), json!([ADMINS]), json!(["mfa"]), None)
        ],
        "privilegedAccess": {
            "eligibilitySchedules": [{
                "id": format!("{ADMINS}_member_{ELIGIBLE_USER}"), "accessId": "member", "principalId": ELIGIBLE_USER, "groupId": ADMINS,
                "memberType": "Direct", "status": "Provisioned", "createdDateTime": "2026-01-05T10:00:00Z",
                "scheduleInfo": {"startDateTime": "2026-01-05T10:00:00Z", "recurrence": null, "expiration": {"type": "afterDateTime", "endDateTime": "2027-01-05T00:00:00Z", "duration": null}}
            }],
            "assignmentSchedules": [],
            "roleManagementPolicyAssignments": [{
                "id": format!("Group_{ADMINS}_p1_member"), "policyId": format!("Group_{ADMINS}_p1"), "scopeId": ADMINS, "scopeType": "Group", "roleDefinitionId": "member",
                "policy": {"id": format!("Group_{ADMINS}_p1"), "displayName": "Group", "scopeId": ADMINS, "scopeType": "Group", "rules": [
                    {"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule", "id": "Expiration_EndUser_Assignment", "isExpirationRequired": true, "maximumDuration": "PT4H", "target": target},
                    {"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule", "id": "Enablement_EndUser_Assignment", "enabledRules": ["MultiFactorAuthentication", "Justification"], "target": target},
                    {"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule", "id": "Approval_EndUser_Assignment", "target": target,
                     "setting": {"isApprovalRequired": true, "isApprovalRequiredForExtension": false, "isRequestorJustificationRequired": true, "approvalMode": "SingleStage", "approvalStages": []}}
                ]}
            }]
        }
    })
}

fn kubernetes_versions() -> Value {
    json!({"values": [
        {"version": "1.30", "isPreview": false, "capabilities": {"supportPlan": ["KubernetesOfficial", "AKSLongTermSupport"]}, "patchVersions": {"1.30.5": {"upgrades": ["1.31.2"]}}},
        {"version": "1.31", "isDefault": true, "capabilities": {"supportPlan": ["KubernetesOfficial"]}, "patchVersions": {"1.31.2": {"upgrades": []}}}
    ]})
}

fn azure(shape: &Shape) -> Value {
    let mut versions = serde_json::Map::new();
    for l in LOCATIONS {
        versions.insert(l.to_string(), kubernetes_versions());
    }
    let subs: Vec<Value> = (0..shape.subscriptions()).map(|s| subscription(s, shape.aks_in(s))).collect();
    json!({"kubernetesVersions": versions, "subscriptions": subs})
}

fn assignment(sub: &str, n: u32, role: &str, principal: &str, kind: &str) -> Value {
    let scope = format!("/subscriptions/{sub}");
    let name = format!("9{n:07}-0000-4000-8000-{}", &sub[sub.len() - 12..]);
    json!({
        "id": format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"),
        "name": name,
        "type": "Microsoft.Authorization/roleAssignments",
        "properties": {
            "roleDefinitionId": format!("{scope}/providers/Microsoft.Authorization/roleDefinitions/{role}"),
            "principalId": principal, "principalType": kind, "scope": scope,
            "createdOn": "2025-06-01T09:00:00Z", "updatedOn": "2025-06-01T09:00:00Z"
        }
    })
}

fn subscription(s: usize, clusters: usize) -> Value {
    let sub = subscription_id(s);
    let mut managed = Vec::new();
    let mut diagnostics = serde_json::Map::new();
    for i in 0..clusters {
        let c = aks(&sub, s, i);
        if i % 2 == 0 {
            let id = c["id"].as_str().unwrap_or_default().to_string();
            diagnostics.insert(id, json!([{
                "name": "to-sentinel",
                "properties": {"logs": [
                    {"category": "kube-audit-admin", "enabled": true},
                    {"category": "guard", "enabled": i % 4 == 0}
                ], "workspaceId": format!("/subscriptions/{sub}/resourceGroups/rg-logs/providers/Microsoft.OperationalInsights/workspaces/logs")}
            }]));
        }
        managed.push(c);
    }
    json!({
        "subscriptionId": sub,
        "tenantId": TENANT,
        "displayName": format!("Bench {s:03}"),
        "managedClusters": managed,
        "diagnosticSettings": diagnostics,
        "roleAssignments": [
            assignment(&sub, 1, OWNER, OWNER_USER, "User"),
            assignment(&sub, 2, AKS_RBAC_CLUSTER_ADMIN, ADMINS, "Group"),
            assignment(&sub, 3, READER, SCANNER_SP, "ServicePrincipal")
        ]
    })
}

/// Whether the `i`th AKS cluster of a subscription has managed Entra integration (its
/// Kubernetes API is read only then).
pub fn aks_has_entra(i: usize) -> bool {
    i % 4 != 1
}

/// An AKS cluster in one of four postures: hardened, wide open, allow-listed public, private
/// with a preview-free old version.
fn aks(sub: &str, s: usize, i: usize) -> Value {
    let name = format!("aks-{s:03}-{i:04}");
    let rg = format!("rg-{}", i % 5);
    let location = LOCATIONS[i % LOCATIONS.len()];
    let variant = i % 4;
    let entra = aks_has_entra(i);
    let api = match variant {
        0 | 3 => json!({"enablePrivateCluster": true}),
        1 => json!({"enablePrivateCluster": false}),
        _ => json!({"enablePrivateCluster": false, "authorizedIPRanges": ["203.0.113.0/24", "198.51.100.0/24"]}),
    };
    json!({
        "id": format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters/{name}"),
        "name": name,
        "type": "Microsoft.ContainerService/ManagedClusters",
        "location": location,
        "tags": {"env": if variant == 1 { "dev" } else { "prod" }, "team": format!("team-{}", i % 7)},
        "identity": {"type": "SystemAssigned", "principalId": "30000000-0000-4000-8000-000000000001", "tenantId": TENANT},
        "sku": {"name": "Base", "tier": if variant == 0 { "Standard" } else { "Free" }},
        "properties": {
            "provisioningState": "Succeeded",
            "powerState": {"code": "Running"},
            "kubernetesVersion": if variant == 3 { "1.30.5" } else { "1.31.2" },
            "currentKubernetesVersion": if variant == 3 { "1.30.5" } else { "1.31.2" },
            "dnsPrefix": name,
            "fqdn": format!("{name}-dns-00000000.hcp.{location}.azmk8s.io"),
            "enableRBAC": true,
            "disableLocalAccounts": variant != 1,
            "aadProfile": if !entra { Value::Null } else { json!({"managed": true, "enableAzureRBAC": true, "adminGroupObjectIDs": [ADMINS], "tenantID": TENANT}) },
            "apiServerAccessProfile": api,
            "networkProfile": {"networkPlugin": "azure", "networkPolicy": if variant == 1 { Value::Null } else { json!("cilium") }, "networkDataplane": "cilium", "loadBalancerSku": "standard", "outboundType": "loadBalancer"},
            "agentPoolProfiles": [
                {"name": "system", "count": 3, "vmSize": "Standard_D4ds_v5", "mode": "System", "osType": "Linux", "osSKU": "AzureLinux", "enableEncryptionAtHost": variant != 1, "orchestratorVersion": "1.31.2"},
                {"name": "apps", "count": 5, "vmSize": "Standard_D8ds_v5", "mode": "User", "osType": "Linux", "osSKU": "AzureLinux", "enableEncryptionAtHost": variant == 0, "orchestratorVersion": "1.31.2"}
            ],
            "oidcIssuerProfile": {"enabled": variant != 1},
            "securityProfile": if variant == 1 { json!({}) } else { json!({"workloadIdentity": {"enabled": true}, "azureKeyVaultKms": {"enabled": variant == 0}, "defender": {"securityMonitoring": {"enabled": true}}}) },
            "addonProfiles": {"azurepolicy": {"enabled": variant != 1}, "azureKeyvaultSecretsProvider": {"enabled": variant == 0}},
            "autoUpgradeProfile": {"upgradeChannel": if variant == 1 { "none" } else { "stable" }, "nodeOSUpgradeChannel": "NodeImage"}
        }
    })
}

fn aws(shape: &Shape) -> Value {
    let accounts: Vec<Value> = (0..shape.accounts()).map(|a| account(shape, a)).collect();
    let org_accounts: Vec<Value> = (0..shape.accounts())
        .map(|a| json!({"Id": account_id(a), "Name": format!("bench-{a:03}"), "Email": format!("aws+bench{a:03}@contoso.example"), "Status": "ACTIVE"}))
        .collect();
    json!({
        "clusterVersions": [
            {"clusterVersion": "1.30", "versionStatus": "EXTENDED_SUPPORT", "endOfStandardSupportDate": "2026-06-23T00:00:00Z", "endOfExtendedSupportDate": "2027-06-23T00:00:00Z"},
            {"clusterVersion": "1.33", "versionStatus": "STANDARD_SUPPORT", "defaultVersion": true, "endOfStandardSupportDate": "2027-07-29T00:00:00Z"},
            {"clusterVersion": "1.34", "versionStatus": "STANDARD_SUPPORT", "endOfStandardSupportDate": "2027-12-02T00:00:00Z"}
        ],
        "accounts": accounts,
        "organization": {"id": "o-kubeposture1", "managementAccountId": account_id(0), "accounts": org_accounts}
    })
}

fn issuer(account: &str, region: &str, name: &str) -> String {
    // 32 hex digits, distinct per cluster (FNV-1a of the name, twice).
    let fnv = |salt: u8| {
        format!("{account}/{region}/{name}")
            .bytes()
            .chain([salt])
            .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
    };
    let id = format!("{:016X}{:016X}", fnv(1), fnv(2));
    format!("https://oidc.eks.{region}.amazonaws.com/id/{id}")
}

fn cluster_name(a: usize, r: usize, i: usize) -> String {
    format!("eks-{a:03}-{r}-{i:04}")
}

fn account(shape: &Shape, a: usize) -> Value {
    let id = account_id(a);
    let regions = &REGIONS[..shape.regions];
    let mut regional = serde_json::Map::new();
    let mut providers = Vec::new();
    let mut roles = base_roles(&id);
    for (r, region) in regions.iter().enumerate() {
        let n = shape.eks_in(a, r);
        let mut clusters = Vec::new();
        let mut instances = Vec::new();
        for i in 0..n {
            let name = cluster_name(a, r, i);
            let iss = issuer(&id, region, &name);
            let provider = format!("arn:aws:iam::{id}:oidc-provider/{}", iss.trim_start_matches("https://"));
            providers.push(json!({"Arn": provider, "ClientIDList": ["sts.amazonaws.com"], "ThumbprintList": ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"], "CreateDate": "2025-09-02T10:14:00Z"}));
            roles.push(irsa_role(&id, &name, &iss, &provider, i % 3 == 1));
            clusters.push(eks_cluster(&id, region, &name, &iss, i % 4));
            let tokens = if i % 4 == 1 { "optional" } else { "required" };
            for k in 0..2 {
                instances.push(json!({
                    "InstanceId": format!("i-0{a:03x}{r:x}{i:05x}{k:05x}"),
                    "InstanceType": "m6i.large",
                    "State": {"Name": "running"},
                    "LaunchTime": "2026-11-02T06:10:00Z",
                    "IamInstanceProfile": {"Arn": format!("arn:aws:iam::{id}:instance-profile/eks-node"), "Id": "AIPABENCHNODE00000001"},
                    "MetadataOptions": {"State": "applied", "HttpTokens": tokens, "HttpPutResponseHopLimit": if i % 4 == 1 { 2 } else { 1 }, "HttpEndpoint": "enabled"},
                    "Tags": [{"Key": "eks:cluster-name", "Value": name}, {"Key": "eks:nodegroup-name", "Value": "legacy"}]
                }));
            }
        }
        regional.insert(
            region.to_string(),
            json!({"clusters": clusters, "instances": instances, "launchTemplates": [{
                "LaunchTemplateId": "lt-0a1b2c3d4e5f60001", "LaunchTemplateName": "eks-apps", "DefaultVersionNumber": 1,
                "Versions": [{"VersionNumber": 1, "CreateTime": "2025-09-02T10:30:00Z",
                              "LaunchTemplateData": {"InstanceType": "m6i.xlarge", "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 1, "HttpEndpoint": "enabled"}}}]
            }]}),
        );
    }
    let mut account = json!({
        "accountId": id,
        "alias": format!("bench-{a:03}"),
        "regions": regions,
        "assumableRoles": [{"arn": format!("arn:aws:iam::{id}:role/{ROLE}")}],
        "iam": {
            "oidcProviders": providers,
            "roles": roles,
            "policies": NODE_POLICIES.iter().map(|p| managed_policy(p)).collect::<Vec<_>>()
        },
        "regional": regional
    });
    if a == 0 {
        account["credentials"] = json!([{"accessKeyId": AKID, "secretAccessKey": AWS_SECRET, "arn": format!("arn:aws:iam::{id}:user/kubeposture-scanner")}]);
    }
    account
}

fn service_trust(service: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})
}

fn base_roles(id: &str) -> Vec<Value> {
    vec![
        json!({"Role": {"RoleName": ROLE, "Arn": format!("arn:aws:iam::{id}:role/{ROLE}"), "CreateDate": "2026-03-01T09:00:00Z",
                        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{}:root", account_id(0))}, "Action": "sts:AssumeRole"}]}},
               "AttachedPolicies": [{"PolicyName": "SecurityAudit", "PolicyArn": "arn:aws:iam::aws:policy/SecurityAudit"}]}),
        json!({"Role": {"RoleName": "eks-cluster-role", "Arn": format!("arn:aws:iam::{id}:role/eks-cluster-role"), "AssumeRolePolicyDocument": service_trust("eks.amazonaws.com")}}),
        json!({"Role": {"RoleName": "eks-node", "Arn": format!("arn:aws:iam::{id}:role/eks-node"), "AssumeRolePolicyDocument": service_trust("ec2.amazonaws.com")},
               "AttachedPolicies": NODE_POLICIES.iter().map(|p| json!({"PolicyName": p, "PolicyArn": format!("arn:aws:iam::aws:policy/{p}")})).collect::<Vec<_>>(),
               "InstanceProfiles": [{"InstanceProfileName": "eks-node", "InstanceProfileId": "AIPABENCHNODE00000001", "Arn": format!("arn:aws:iam::{id}:instance-profile/eks-node")}]}),
        json!({"Role": {"RoleName": "platform-admins", "Arn": format!("arn:aws:iam::{id}:role/platform-admins"), "AssumeRolePolicyDocument": service_trust("ec2.amazonaws.com")}}),
    ]
}

fn managed_policy(name: &str) -> Value {
    json!({"Policy": {"Arn": format!("arn:aws:iam::aws:policy/{name}"), "PolicyName": name},
           "Versions": [{"VersionId": "v1", "IsDefaultVersion": true,
                         "Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["ec2:Describe*", "ecr:GetAuthorizationToken"], "Resource": "*"}]}}]})
}

/// One IRSA role per cluster: scoped to one service account with the STS audience, or (`loose`)
/// to any service account of the cluster.
fn irsa_role(account: &str, cluster: &str, issuer: &str, provider: &str, loose: bool) -> Value {
    let host = issuer.trim_start_matches("https://");
    let condition = if loose {
        json!({"StringLike": {format!("{host}:sub"): "system:serviceaccount:*"}})
    } else {
        json!({"StringEquals": {format!("{host}:sub"): "system:serviceaccount:apps:api", format!("{host}:aud"): "sts.amazonaws.com"}})
    };
    json!({"Role": {"RoleName": format!("{cluster}-api"), "Arn": format!("arn:aws:iam::{account}:role/irsa/{cluster}-api"), "Path": "/irsa/",
                    "CreateDate": "2025-09-03T09:00:00Z",
                    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": provider},
                                                                                        "Action": "sts:AssumeRoleWithWebIdentity", "Condition": condition}]}}})
}

/// An EKS cluster in one of four postures: hardened, wide open, allow-listed, private + public
/// on an extended-support version.
fn eks_cluster(account: &str, region: &str, name: &str, issuer: &str, variant: usize) -> Value {
    let vpc = match variant {
        0 => json!({"endpointPublicAccess": false, "endpointPrivateAccess": true, "publicAccessCidrs": ["0.0.0.0/0"]}),
        1 => json!({"endpointPublicAccess": true, "endpointPrivateAccess": false, "publicAccessCidrs": ["0.0.0.0/0"]}),
        2 => {
            json!({"endpointPublicAccess": true, "endpointPrivateAccess": true, "publicAccessCidrs": ["203.0.113.0/24"]})
        }
        _ => {
            json!({"endpointPublicAccess": true, "endpointPrivateAccess": true, "publicAccessCidrs": ["198.51.100.0/24"]})
        }
    };
    let mut vpc = vpc;
    vpc["subnetIds"] = json!(["subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"]);
    vpc["vpcId"] = json!("vpc-0a1b2c3d4e5f60001");
    let logging = if variant == 1 {
        json!({"clusterLogging": [{"types": ["api", "audit", "authenticator", "controllerManager", "scheduler"], "enabled": false}]})
    } else {
        json!({"clusterLogging": [{"types": ["api", "audit", "authenticator"], "enabled": true}, {"types": ["controllerManager", "scheduler"], "enabled": false}]})
    };
    let mode = if variant == 1 { "API_AND_CONFIG_MAP" } else { "API" };
    let mut cluster = json!({
        "name": name,
        "createdAt": "2025-09-02T10:12:31.482Z",
        "version": if variant == 3 { "1.30" } else { "1.33" },
        "endpoint": format!("https://{}.gr7.{region}.eks.amazonaws.com", &issuer[issuer.len() - 32..]),
        "roleArn": format!("arn:aws:iam::{account}:role/eks-cluster-role"),
        "resourcesVpcConfig": vpc,
        "kubernetesNetworkConfig": {"serviceIpv4Cidr": "172.20.0.0/16", "ipFamily": "ipv4"},
        "logging": logging,
        "identity": {"oidc": {"issuer": issuer}},
        "status": "ACTIVE",
        "platformVersion": "eks.14",
        "tags": {"team": "platform"},
        "accessConfig": {"bootstrapClusterCreatorAdminPermissions": variant == 1, "authenticationMode": mode},
        "upgradePolicy": {"supportType": if variant == 3 { "EXTENDED" } else { "STANDARD" }}
    });
    if variant != 1 {
        cluster["encryptionConfig"] = json!([{"resources": ["secrets"], "provider": {"keyArn": format!("arn:aws:kms:{region}:{account}:key/6f1c2d3e-4b5a-4968-8776-a5b4c3d2e1f0")}}]);
    }
    let node_role = format!("arn:aws:iam::{account}:role/eks-node");
    json!({
        "cluster": cluster,
        "nodegroups": [
            {"nodegroupName": "apps", "version": "1.33", "status": "ACTIVE", "capacityType": "ON_DEMAND", "amiType": "AL2023_x86_64_STANDARD",
             "scalingConfig": {"minSize": 2, "maxSize": 6, "desiredSize": 2}, "instanceTypes": ["m6i.xlarge"], "nodeRole": node_role,
             "launchTemplate": {"name": "eks-apps", "version": "1", "id": "lt-0a1b2c3d4e5f60001"}},
            {"nodegroupName": "legacy", "version": "1.33", "status": "ACTIVE", "capacityType": "SPOT", "amiType": "AL2023_x86_64_STANDARD",
             "scalingConfig": {"minSize": 1, "maxSize": 3, "desiredSize": 2}, "instanceTypes": ["m6i.large"], "nodeRole": node_role}
        ],
        "accessEntries": [
            {"accessEntry": {"principalArn": format!("arn:aws:iam::{account}:role/platform-admins")},
             "accessPolicies": [{"policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", "accessScope": {"type": "cluster"},
                                 "associatedAt": "2025-09-02T10:50:00Z", "modifiedAt": "2025-09-02T10:50:00Z"}]},
            {"accessEntry": {"principalArn": node_role, "type": "EC2_LINUX"}}
        ],
        "addons": [
            {"addonName": "vpc-cni", "addonVersion": "v1.20.4-eksbuild.1",
             "configurationValues": if variant == 0 { "{\"enableNetworkPolicy\":\"true\"}" } else { "" }},
            {"addonName": "coredns", "addonVersion": "v1.11.4-eksbuild.2"},
            {"addonName": "kube-proxy", "addonVersion": "v1.33.3-eksbuild.6"}
        ]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_split_clusters_and_the_estate_is_valid() {
        let shape = Shape { aks: 7, per_subscription: 3, eks: 9, per_region: 2, regions: 2 };
        assert_eq!((shape.subscriptions(), shape.accounts()), (3, 3));
        assert_eq!((0..3).map(|s| shape.aks_in(s)).collect::<Vec<_>>(), [3, 3, 1]);
        let per: Vec<usize> =
            (0..3).flat_map(|a| (0..2).map(move |r| (a, r))).map(|(a, r)| shape.eks_in(a, r)).collect();
        assert_eq!(per, [2, 2, 2, 2, 1, 0]);
        let estate = kubeposture_mocks::Estate::from_value(generate(&shape)).expect("valid estate");
        assert_eq!(estate.azure.subscriptions.len(), 3);
        assert_eq!(estate.aws.accounts.len(), 3);
    }
}
