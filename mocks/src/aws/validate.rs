//! Loading the `aws:` estate section: [`Aws::prepare`] checks references (regions, launch
//! templates, attached policies, ARNs of the right account) and rewrites what the services
//! would send differently from what the estate says: timestamps to their wire form, and
//! required members (`RoleId`, `Path`, ARNs, …) filled in when left out.

use super::estate::{
    Account, Aws, Cluster, LaunchTemplate, Policy, Regional, Role, arn_account, derived_id, is_aws_managed,
    last_segment, s, s_map,
};
use super::timestamps;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

impl Aws {
    /// Validates references and rewrites timestamps and defaults; `Err` says what is wrong where.
    pub fn prepare(&mut self) -> Result<(), String> {
        for (i, v) in self.cluster_versions.iter_mut().enumerate() {
            let at = format!("aws.clusterVersions[{i}]");
            if s(v, "clusterVersion").is_none() {
                return Err(format!("{at}: clusterVersion (a string like \"1.31\") is required"));
            }
            timestamps::to_eks(v, &at)?;
            fill_version_status(v, &at)?;
        }
        if let Some(org) = &mut self.organization {
            org.prepare()?;
        }
        let mut ids = BTreeSet::new();
        let mut keys = BTreeSet::new();
        for a in &mut self.accounts {
            if !ids.insert(a.account_id.clone()) {
                return Err(format!("aws account {} is listed twice", a.account_id));
            }
            for c in &a.credentials {
                if !keys.insert(c.access_key_id.clone()) {
                    return Err(format!("access key {} is listed twice", c.access_key_id));
                }
            }
            a.prepare()?;
        }
        for a in &self.accounts {
            for r in &a.assumable_roles {
                if arn_account(&r.arn) != Some(a.account_id.as_str()) || !r.arn.contains(":role/") {
                    return Err(format!(
                        "aws.accounts[{}].assumableRoles: {} is not a role ARN of this account",
                        a.account_id, r.arn
                    ));
                }
            }
        }
        Ok(())
    }
}

/// `status` (`standard-support`) and `versionStatus` (`STANDARD_SUPPORT`) say the same; fill
/// whichever is missing.
fn fill_version_status(v: &mut Value, at: &str) -> Result<(), String> {
    let upper = s(v, "versionStatus").map(str::to_string);
    let lower = s(v, "status").map(str::to_string);
    match (upper, lower) {
        (Some(u), None) => v["status"] = json!(u.to_ascii_lowercase().replace('_', "-")),
        (None, Some(l)) => v["versionStatus"] = json!(l.to_ascii_uppercase().replace('-', "_")),
        (None, None) => {
            return Err(format!("{at}: give versionStatus (STANDARD_SUPPORT, EXTENDED_SUPPORT, UNSUPPORTED)"));
        }
        _ => {}
    }
    Ok(())
}

impl Account {
    fn prepare(&mut self) -> Result<(), String> {
        let id = self.account_id.clone();
        if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("aws account id '{id}' is not 12 digits (quote it in YAML)"));
        }
        let at = format!("aws.accounts[{id}]");
        let mut regions = BTreeSet::new();
        for r in &self.regions {
            if !regions.insert(r.as_str()) {
                return Err(format!("{at}.regions: {r} is listed twice"));
            }
        }
        for c in &self.credentials {
            if c.access_key_id.starts_with("ASIA") {
                return Err(format!(
                    "{at}.credentials: {} starts with ASIA, which marks session keys",
                    c.access_key_id
                ));
            }
            if arn_account(&c.arn) != Some(id.as_str()) {
                return Err(format!("{at}.credentials: {} is not an identity of account {id}", c.arn));
            }
        }
        for key in self.regional.keys() {
            if !self.regions.contains(key) {
                return Err(format!(
                    "{at}.regional.{key}: {key} is not an enabled region of the account (regions: {})",
                    self.regions.join(", ")
                ));
            }
        }
        self.prepare_iam(&at)?;
        for (region, r) in &mut self.regional {
            r.prepare(&id, region, &format!("{at}.regional.{region}"))?;
        }
        Ok(())
    }

    fn prepare_iam(&mut self, at: &str) -> Result<(), String> {
        let id = self.account_id.clone();
        let mut arns = BTreeSet::new();
        for (i, p) in self.iam.oidc_providers.iter_mut().enumerate() {
            let here = format!("{at}.iam.oidcProviders[{i}]");
            let arn = s(p, "Arn").ok_or_else(|| format!("{here}: Arn is required"))?.to_string();
            let Some(url) = arn.strip_prefix(&format!("arn:aws:iam::{id}:oidc-provider/")) else {
                return Err(format!("{here}: {arn} is not an oidc-provider ARN of account {id}"));
            };
            if !arns.insert(arn.clone()) {
                return Err(format!("{here}: {arn} is listed twice"));
            }
            let url = url.to_string();
            let obj = p.as_object_mut().ok_or_else(|| format!("{here}: not an object"))?;
            obj.entry("Url").or_insert(json!(url));
            obj.entry("ClientIDList").or_insert(json!([]));
            obj.entry("ThumbprintList").or_insert(json!([]));
            obj.entry("CreateDate").or_insert(json!("2024-01-01T00:00:00Z"));
            timestamps::to_iam(p, &here)?;
        }
        let mut policy_arns = BTreeSet::new();
        for p in &self.iam.policies {
            let arn = s(&p.policy, "Arn").ok_or_else(|| format!("{at}.iam.policies: a Policy has no Arn"))?;
            if !is_aws_managed(arn) && arn_account(arn) != Some(id.as_str()) {
                return Err(format!("{at}.iam.policies: {arn} is neither AWS-managed nor of account {id}"));
            }
            if !policy_arns.insert(arn.to_string()) {
                return Err(format!("{at}.iam.policies: {arn} is listed twice"));
            }
        }
        let mut attachments: BTreeMap<String, u64> = BTreeMap::new();
        let mut names = BTreeSet::new();
        for role in &mut self.iam.roles {
            role.prepare(&id, at, &policy_arns)?;
            if !names.insert(role.name().to_string()) {
                return Err(format!("{at}.iam.roles: role {} is listed twice", role.name()));
            }
            for a in &role.attached_policies {
                *attachments.entry(s(a, "PolicyArn").unwrap_or_default().to_string()).or_default() += 1;
            }
        }
        for p in &mut self.iam.policies {
            let count = attachments.get(s(&p.policy, "Arn").unwrap_or_default()).copied().unwrap_or(0);
            p.prepare(at, count)?;
        }
        Ok(())
    }
}

impl Role {
    fn prepare(&mut self, account: &str, at: &str, policies: &BTreeSet<String>) -> Result<(), String> {
        let rest = &mut self.role.rest;
        let name =
            s_map(rest, "RoleName").ok_or_else(|| format!("{at}.iam.roles: a Role has no RoleName"))?.to_string();
        let here = format!("{at}.iam.roles[{name}]");
        let arn = s_map(rest, "Arn").ok_or_else(|| format!("{here}: Role.Arn is required"))?.to_string();
        if arn_account(&arn) != Some(account) || !arn.contains(":role/") || last_segment(&arn) != name {
            return Err(format!("{here}: Role.Arn {arn} is not the ARN of role {name} in account {account}"));
        }
        rest.entry("Path").or_insert(json!("/"));
        rest.entry("RoleId").or_insert_with(|| json!(derived_id("AROA", &arn)));
        rest.entry("CreateDate").or_insert(json!("2024-01-01T00:00:00Z"));
        rest.entry("MaxSessionDuration").or_insert(json!(3600));
        let mut v = Value::Object(std::mem::take(rest));
        timestamps::to_iam(&mut v, &here)?;
        if let Value::Object(m) = v {
            *rest = m;
        }
        for a in &mut self.attached_policies {
            let parn = s(a, "PolicyArn").ok_or_else(|| format!("{here}.AttachedPolicies: PolicyArn is required"))?;
            if !is_aws_managed(parn) && !policies.contains(parn) {
                return Err(format!(
                    "{here}.AttachedPolicies: {parn} is not under iam.policies of account {account} (only arn:aws:iam::aws:policy/… may be left out)"
                ));
            }
            let pname = last_segment(parn).to_string();
            a.as_object_mut()
                .ok_or_else(|| format!("{here}.AttachedPolicies: not an object"))?
                .entry("PolicyName")
                .or_insert(json!(pname));
        }
        let mut inline = BTreeSet::new();
        for p in &self.role_policies {
            if !inline.insert(p.name.as_str()) {
                return Err(format!("{here}.RolePolicies: {} is listed twice", p.name));
            }
        }
        let create = self.role.rest.get("CreateDate").cloned().unwrap_or(json!("2024-01-01T00:00:00Z"));
        for ip in &mut self.instance_profiles {
            let ip_name = s(ip, "InstanceProfileName")
                .ok_or_else(|| format!("{here}.InstanceProfiles: InstanceProfileName is required"))?
                .to_string();
            let ip_arn = s(ip, "Arn").ok_or_else(|| format!("{here}.InstanceProfiles[{ip_name}]: Arn is required"))?;
            if arn_account(ip_arn) != Some(account) || !ip_arn.contains(":instance-profile/") {
                return Err(format!(
                    "{here}.InstanceProfiles[{ip_name}]: {ip_arn} is not an instance-profile ARN of {account}"
                ));
            }
            let seed = ip_arn.to_string();
            let obj = ip.as_object_mut().ok_or_else(|| format!("{here}.InstanceProfiles: not an object"))?;
            obj.entry("InstanceProfileId").or_insert_with(|| json!(derived_id("AIPA", &seed)));
            obj.entry("Path").or_insert(json!("/"));
            obj.entry("CreateDate").or_insert(create.clone());
            timestamps::to_iam(ip, &here)?;
        }
        Ok(())
    }
}

impl Policy {
    fn prepare(&mut self, at: &str, attachments: u64) -> Result<(), String> {
        let arn = self.arn().to_string();
        let here = format!("{at}.iam.policies[{arn}]");
        let mut ids = BTreeSet::new();
        for v in &self.versions {
            if !ids.insert(v.version_id.as_str()) {
                return Err(format!("{here}.Versions: {} is listed twice", v.version_id));
            }
        }
        let flagged: Vec<&str> =
            self.versions.iter().filter(|v| v.is_default == Some(true)).map(|v| v.version_id.as_str()).collect();
        let default = match (s(&self.policy, "DefaultVersionId"), flagged.as_slice()) {
            (Some(d), _) => d.to_string(),
            (None, [one]) => one.to_string(),
            (None, []) => self.versions.first().map(|v| v.version_id.clone()).unwrap_or_else(|| "v1".into()),
            (None, _) => return Err(format!("{here}: more than one version has IsDefaultVersion: true")),
        };
        if !self.versions.is_empty() && !ids.contains(default.as_str()) {
            return Err(format!("{here}: DefaultVersionId {default} is not among Versions"));
        }
        for v in &mut self.versions {
            v.is_default = Some(v.version_id == default);
            if let Some(d) = &v.create_date {
                let t =
                    timestamps::parse(d).map_err(|e| format!("{here}.Versions[{}].CreateDate: {e}", v.version_id))?;
                v.create_date = Some(json!(timestamps::xml(t, false)));
            }
        }
        let name = last_segment(&arn).to_string();
        let path = match arn.split_once(":policy").map(|(_, p)| p) {
            Some(p) if p.len() > name.len() => p[..p.len() - name.len()].to_string(),
            _ => "/".into(),
        };
        let obj = self.policy.as_object_mut().ok_or_else(|| format!("{here}: Policy is not an object"))?;
        obj.entry("PolicyName").or_insert(json!(name));
        obj.entry("PolicyId").or_insert_with(|| json!(derived_id("ANPA", &arn)));
        obj.entry("Path").or_insert(json!(path));
        obj.insert("DefaultVersionId".into(), json!(default));
        obj.entry("AttachmentCount").or_insert(json!(attachments));
        obj.entry("PermissionsBoundaryUsageCount").or_insert(json!(0));
        obj.entry("IsAttachable").or_insert(json!(true));
        obj.entry("CreateDate").or_insert(json!("2024-01-01T00:00:00Z"));
        obj.entry("UpdateDate").or_insert(json!("2024-01-01T00:00:00Z"));
        timestamps::to_iam(&mut self.policy, &here)
    }
}

impl Regional {
    fn prepare(&mut self, account: &str, region: &str, at: &str) -> Result<(), String> {
        let mut lt_ids = BTreeSet::new();
        let mut lt_names = BTreeSet::new();
        for lt in &mut self.launch_templates {
            if !lt_ids.insert(lt.launch_template_id.clone()) || !lt_names.insert(lt.launch_template_name.clone()) {
                return Err(format!("{at}.launchTemplates: {} is listed twice", lt.launch_template_id));
            }
            lt.prepare(&format!("{at}.launchTemplates[{}]", lt.launch_template_id))?;
        }
        let mut instance_ids = BTreeSet::new();
        for (i, inst) in self.instances.iter_mut().enumerate() {
            let here = format!("{at}.instances[{i}]");
            let id = s(inst, "InstanceId").ok_or_else(|| format!("{here}: InstanceId is required"))?.to_string();
            if !instance_ids.insert(id.clone()) {
                return Err(format!("{here}: {id} is listed twice"));
            }
            prepare_instance(inst, &format!("{at}.instances[{id}]"))?;
        }
        let mut names = BTreeSet::new();
        for c in &mut self.clusters {
            c.prepare(account, region, at, &self.launch_templates)?;
            if !names.insert(c.name().to_string()) {
                return Err(format!("{at}.clusters: {} is listed twice", c.name()));
            }
        }
        Ok(())
    }
}

/// State code by name, as EC2 reports them.
fn state_code(name: &str) -> Option<i64> {
    Some(match name {
        "pending" => 0,
        "running" => 16,
        "shutting-down" => 32,
        "terminated" => 48,
        "stopping" => 64,
        "stopped" => 80,
        _ => return None,
    })
}

fn prepare_instance(inst: &mut Value, at: &str) -> Result<(), String> {
    let obj = inst.as_object_mut().ok_or_else(|| format!("{at}: not an object"))?;
    let state = obj.entry("State").or_insert(json!({"Name": "running"}));
    let name = s(state, "Name").ok_or_else(|| format!("{at}.State.Name is required"))?;
    let code = state_code(name).ok_or_else(|| {
        format!("{at}.State.Name '{name}' is not one of pending, running, shutting-down, terminated, stopping, stopped")
    })?;
    if state.get("Code").is_none() {
        state["Code"] = json!(code);
    }
    timestamps::to_ec2(inst, at)
}

impl LaunchTemplate {
    fn prepare(&mut self, at: &str) -> Result<(), String> {
        if !self.launch_template_id.starts_with("lt-") {
            return Err(format!("{at}: LaunchTemplateId must look like lt-0123456789abcdef0"));
        }
        let mut numbers = BTreeSet::new();
        for (i, v) in self.versions.iter().enumerate() {
            let n = v
                .get("VersionNumber")
                .and_then(Value::as_i64)
                .ok_or_else(|| format!("{at}.Versions[{i}]: VersionNumber (an integer) is required"))?;
            if !numbers.insert(n) {
                return Err(format!("{at}.Versions: version {n} is listed twice"));
            }
        }
        let Some(max) = numbers.iter().max().copied() else {
            return Err(format!("{at}: Versions is empty"));
        };
        let default = *self.default_version_number.get_or_insert(1);
        self.latest_version_number.get_or_insert(max);
        if !numbers.contains(&default) {
            return Err(format!("{at}: DefaultVersionNumber {default} is not among Versions"));
        }
        let (id, name) = (self.launch_template_id.clone(), self.launch_template_name.clone());
        for v in &mut self.versions {
            let n = v.get("VersionNumber").and_then(Value::as_i64).unwrap_or_default();
            let obj = v.as_object_mut().ok_or_else(|| format!("{at}.Versions: not an object"))?;
            obj.insert("LaunchTemplateId".into(), json!(id));
            obj.insert("LaunchTemplateName".into(), json!(name));
            obj.insert("DefaultVersion".into(), json!(n == default));
            obj.entry("LaunchTemplateData").or_insert(json!({}));
            timestamps::to_ec2(v, &format!("{at}.Versions[{n}]"))?;
        }
        Ok(())
    }
}

impl Cluster {
    fn prepare(&mut self, account: &str, region: &str, at: &str, lts: &[LaunchTemplate]) -> Result<(), String> {
        let name = s(&self.cluster, "name").ok_or_else(|| format!("{at}.clusters: a cluster has no name"))?.to_string();
        let at = format!("{at}.clusters[{name}]");
        let arn = format!("arn:aws:eks:{region}:{account}:cluster/{name}");
        let obj = self.cluster.as_object_mut().ok_or_else(|| format!("{at}: cluster is not an object"))?;
        obj.entry("arn").or_insert(json!(arn));
        timestamps::to_eks(&mut self.cluster, &format!("{at}.cluster"))?;
        if !self.access_entries.is_empty() && self.authentication_mode() == "CONFIG_MAP" {
            return Err(format!(
                "{at}: has accessEntries but accessConfig.authenticationMode is CONFIG_MAP (or unset); EKS keeps access entries only in API and API_AND_CONFIG_MAP modes"
            ));
        }
        let mut seen = BTreeSet::new();
        for ng in &mut self.nodegroups {
            let ng_name = s(ng, "nodegroupName")
                .ok_or_else(|| format!("{at}.nodegroups: nodegroupName is required"))?
                .to_string();
            let here = format!("{at}.nodegroups[{ng_name}]");
            if !seen.insert(ng_name.clone()) {
                return Err(format!("{here}: listed twice"));
            }
            check_launch_template(ng, lts, &here)?;
            let obj = ng.as_object_mut().ok_or_else(|| format!("{here}: not an object"))?;
            obj.entry("clusterName").or_insert(json!(name));
            obj.entry("nodegroupArn").or_insert_with(|| {
                json!(format!("arn:aws:eks:{region}:{account}:nodegroup/{name}/{ng_name}/{}", uuidish(&ng_name)))
            });
            timestamps::to_eks(ng, &here)?;
        }
        let mut seen = BTreeSet::new();
        for e in &mut self.access_entries {
            let principal = s(&e.access_entry, "principalArn")
                .ok_or_else(|| format!("{at}.accessEntries: accessEntry.principalArn is required"))?
                .to_string();
            let here = format!("{at}.accessEntries[{principal}]");
            if !seen.insert(principal.clone()) {
                return Err(format!("{here}: listed twice"));
            }
            let username = if principal.contains(":role/") {
                format!(
                    "arn:aws:sts::{}:assumed-role/{}/{{{{SessionName}}}}",
                    arn_account(&principal).unwrap_or(account),
                    last_segment(&principal)
                )
            } else {
                principal.clone()
            };
            let kind = principal.split(':').nth(5).and_then(|r| r.split('/').next()).unwrap_or("role").to_string();
            let obj = e.access_entry.as_object_mut().ok_or_else(|| format!("{here}: not an object"))?;
            obj.entry("clusterName").or_insert(json!(name));
            obj.entry("kubernetesGroups").or_insert(json!([]));
            obj.entry("type").or_insert(json!("STANDARD"));
            obj.entry("username").or_insert(json!(username));
            obj.entry("tags").or_insert(json!({}));
            obj.entry("accessEntryArn").or_insert_with(|| {
                json!(format!(
                    "arn:aws:eks:{region}:{account}:access-entry/{name}/{kind}/{}/{}/{}",
                    arn_account(&principal).unwrap_or(account),
                    last_segment(&principal),
                    uuidish(&principal)
                ))
            });
            timestamps::to_eks(&mut e.access_entry, &here)?;
            for (i, p) in e.access_policies.iter_mut().enumerate() {
                let p_at = format!("{here}.accessPolicies[{i}]");
                if s(p, "policyArn").is_none() {
                    return Err(format!("{p_at}: policyArn is required"));
                }
                let obj = p.as_object_mut().ok_or_else(|| format!("{p_at}: not an object"))?;
                obj.entry("accessScope").or_insert(json!({"type": "cluster", "namespaces": []}));
                timestamps::to_eks(p, &p_at)?;
            }
        }
        let mut seen = BTreeSet::new();
        for a in &mut self.addons {
            let a_name = s(a, "addonName").ok_or_else(|| format!("{at}.addons: addonName is required"))?.to_string();
            let here = format!("{at}.addons[{a_name}]");
            if !seen.insert(a_name.clone()) {
                return Err(format!("{here}: listed twice"));
            }
            let obj = a.as_object_mut().ok_or_else(|| format!("{here}: not an object"))?;
            obj.entry("clusterName").or_insert(json!(name));
            obj.entry("addonArn").or_insert_with(|| {
                json!(format!("arn:aws:eks:{region}:{account}:addon/{name}/{a_name}/{}", uuidish(&a_name)))
            });
            timestamps::to_eks(a, &here)?;
        }
        Ok(())
    }
}

/// A node group's `launchTemplate` must name a launch template of its region, and a version
/// of it.
fn check_launch_template(ng: &Value, lts: &[LaunchTemplate], at: &str) -> Result<(), String> {
    let Some(spec) = ng.get("launchTemplate") else { return Ok(()) };
    let (id, name) = (s(spec, "id"), s(spec, "name"));
    let lt = lts.iter().find(|lt| {
        id.is_some_and(|i| i == lt.launch_template_id) || name.is_some_and(|n| n == lt.launch_template_name)
    });
    let Some(lt) = lt else {
        return Err(format!(
            "{at}.launchTemplate: {} is not under launchTemplates of this region",
            id.or(name).unwrap_or("(no id or name)")
        ));
    };
    if let (Some(i), Some(n)) = (id, name)
        && (i != lt.launch_template_id || n != lt.launch_template_name)
    {
        return Err(format!("{at}.launchTemplate: id {i} and name {n} are different launch templates"));
    }
    let version = s(spec, "version").unwrap_or("$Default");
    if lt.version(version).is_none() {
        return Err(format!("{at}.launchTemplate: {} has no version {version}", lt.launch_template_id));
    }
    Ok(())
}

/// A stable UUID-looking suffix for derived EKS ARNs.
fn uuidish(seed: &str) -> String {
    let h = derived_id("", seed).to_ascii_lowercase();
    let hex: String = h.bytes().map(|b| format!("{:x}", b % 16)).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[..12])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aws(y: &str) -> Result<Aws, String> {
        let mut a: Aws = serde_yaml_ng::from_str(y).map_err(|e| e.to_string())?;
        a.prepare()?;
        Ok(a)
    }

    const BASE: &str = r#"
accounts:
  - accountId: "111122223333"
    regions: [us-east-1]
    credentials: [{accessKeyId: AKIATEST, secretAccessKey: s, arn: "arn:aws:iam::111122223333:user/u"}]
"#;

    #[test]
    fn documents_keep_their_key_order_or_text() {
        let a = aws(&format!(
            "{BASE}    iam:\n      roles:\n        - Role: {{RoleName: r, Arn: \"arn:aws:iam::111122223333:role/r\", AssumeRolePolicyDocument: {{Version: \"2012-10-17\", Statement: [{{Effect: Allow, Action: \"sts:AssumeRole\"}}]}}}}\n          RolePolicies: [{{PolicyName: p, PolicyDocument: \"not json {{\"}}]\n"
        ))
        .unwrap();
        let r = &a.accounts[0].iam.roles[0];
        assert_eq!(
            r.role.trust.as_ref().unwrap().text,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}"#
        );
        assert_eq!(r.role_policies[0].document.text, "not json {");
        assert_eq!(r.role_policies[0].document.wire(), "not%20json%20%7B");
        let wire = r.wire(true);
        assert!(wire["AssumeRolePolicyDocument"].as_str().unwrap().starts_with("%7B%22Version%22%3A%222012-10-17%22"));
        assert_eq!(wire["Path"], "/");
        assert_eq!(wire["RoleId"].as_str().unwrap().len(), 21);
        assert!(wire["RoleId"].as_str().unwrap().starts_with("AROA"));
    }

    #[test]
    fn attached_policies_must_exist_unless_aws_managed() {
        let role = |arn: &str| {
            format!(
                "{BASE}    iam:\n      roles:\n        - Role: {{RoleName: r, Arn: \"arn:aws:iam::111122223333:role/r\"}}\n          AttachedPolicies: [{{PolicyArn: \"{arn}\"}}]\n"
            )
        };
        assert!(aws(&role("arn:aws:iam::aws:policy/AdministratorAccess")).is_ok());
        let e = aws(&role("arn:aws:iam::111122223333:policy/missing")).unwrap_err();
        assert!(e.contains("policy/missing is not under iam.policies"), "{e}");
        let with_policy = format!(
            "{}      policies:\n        - Policy: {{Arn: \"arn:aws:iam::111122223333:policy/team/p\"}}\n          Versions: [{{VersionId: v2, IsDefaultVersion: true, Document: {{Version: \"2012-10-17\"}}}}, {{VersionId: v1, Document: \"{{}}\"}}]\n",
            role("arn:aws:iam::111122223333:policy/team/p")
        );
        let a = aws(&with_policy).unwrap();
        let p = &a.accounts[0].iam.policies[0];
        assert_eq!(p.policy["DefaultVersionId"], "v2");
        assert_eq!(p.policy["AttachmentCount"], 1);
        assert_eq!(p.policy["PolicyName"], "p");
        assert_eq!(p.policy["Path"], "/team/");
        assert_eq!(p.version("v1").unwrap().is_default, Some(false));
    }

    #[test]
    fn regions_and_launch_templates_are_checked() {
        let e = aws(&format!("{BASE}    regional:\n      eu-west-1: {{}}\n")).unwrap_err();
        assert!(e.contains("eu-west-1 is not an enabled region"), "{e}");
        let ng = |lt: &str| {
            format!(
                "{BASE}    regional:\n      us-east-1:\n        launchTemplates: [{{LaunchTemplateId: lt-1, LaunchTemplateName: n, Versions: [{{VersionNumber: 1}}, {{VersionNumber: 3}}]}}]\n        clusters:\n          - cluster: {{name: c, createdAt: \"2024-01-01T00:00:00Z\"}}\n            nodegroups: [{{nodegroupName: ng, launchTemplate: {lt}}}]\n"
            )
        };
        let a = aws(&ng("{id: lt-1, version: \"3\"}")).unwrap();
        let r = &a.accounts[0].regional["us-east-1"];
        assert_eq!(r.launch_templates[0].latest_version_number, Some(3));
        assert_eq!(r.clusters[0].cluster["createdAt"], 1704067200);
        assert_eq!(r.clusters[0].cluster["arn"], "arn:aws:eks:us-east-1:111122223333:cluster/c");
        assert_eq!(r.clusters[0].nodegroups[0]["clusterName"], "c");
        let e = aws(&ng("{id: lt-2}")).unwrap_err();
        assert!(e.contains("lt-2 is not under launchTemplates"), "{e}");
        let e = aws(&ng("{name: n, version: \"2\"}")).unwrap_err();
        assert!(e.contains("has no version 2"), "{e}");
    }

    #[test]
    fn config_map_clusters_have_no_access_entries() {
        let y = format!(
            "{BASE}    regional:\n      us-east-1:\n        clusters:\n          - cluster: {{name: c, accessConfig: {{authenticationMode: CONFIG_MAP}}}}\n            accessEntries: [{{accessEntry: {{principalArn: \"arn:aws:iam::111122223333:role/a\"}}}}]\n"
        );
        assert!(aws(&y).unwrap_err().contains("CONFIG_MAP"));
        let ok = y.replace("CONFIG_MAP}", "API}");
        let a = aws(&ok).unwrap();
        let e = &a.accounts[0].regional["us-east-1"].clusters[0].access_entries[0].access_entry;
        assert_eq!(e["username"], "arn:aws:sts::111122223333:assumed-role/a/{{SessionName}}");
        assert_eq!(e["type"], "STANDARD");
    }

    #[test]
    fn identities_and_roles_belong_to_their_account() {
        let e = aws(&BASE.replace(
            "user/u",
            "user/u\"}, {accessKeyId: AKIA2, secretAccessKey: s, arn: \"arn:aws:iam::999999999999:user/x",
        ))
        .unwrap_err();
        assert!(e.contains("not an identity of account"), "{e}");
        let e =
            aws(&format!("{BASE}    assumableRoles: [{{arn: \"arn:aws:iam::444455556666:role/r\"}}]\n")).unwrap_err();
        assert!(e.contains("not a role ARN of this account"), "{e}");
        let e = aws(&BASE.replace("\"111122223333\"", "111122223333x")).unwrap_err();
        assert!(e.contains("not 12 digits"), "{e}");
        let e = aws(&format!("{BASE}{}", BASE.replace("accounts:\n", ""))).unwrap_err();
        assert!(e.contains("listed twice"), "{e}");
    }

    #[test]
    fn cluster_versions_get_both_statuses() {
        let a = aws("clusterVersions: [{clusterVersion: \"1.30\", versionStatus: EXTENDED_SUPPORT, endOfStandardSupportDate: \"2025-07-23\"}]").unwrap();
        assert_eq!(a.cluster_versions[0]["status"], "extended-support");
        assert!(a.cluster_versions[0]["endOfStandardSupportDate"].is_number());
        assert!(aws("clusterVersions: [{clusterVersion: \"1.30\"}]").is_err());
    }
}
