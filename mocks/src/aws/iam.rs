//! IAM (awsQuery) over the caller's account: roles (trust policies URL-encoded, as IAM sends
//! them), their attached and inline policies and instance profiles, managed policies and
//! their versions, and OIDC providers. Lists page with `Marker`/`MaxItems` → `IsTruncated`/
//! `Marker`, except `ListOpenIDConnectProviders`.

use super::Ctx;
use super::estate::{Account, Role, s};
use super::xml::{Element, query, query_members};
use crate::faults::Call;
use axum::response::Response;
use serde_json::{Value, json};

pub const ACTIONS: &[&str] = &[
    "ListRoles",
    "GetRole",
    "ListOpenIDConnectProviders",
    "GetOpenIDConnectProvider",
    "ListAttachedRolePolicies",
    "ListRolePolicies",
    "GetRolePolicy",
    "GetPolicy",
    "GetPolicyVersion",
    "ListInstanceProfilesForRole",
    "ListInstanceProfiles",
];

pub async fn handle(ctx: &Ctx<'_>) -> Response {
    let r = match ctx.action {
        "ListRoles" => list_roles(ctx).await,
        "GetRole" => get_role(ctx).await,
        "ListOpenIDConnectProviders" => list_oidc(ctx).await,
        "GetOpenIDConnectProvider" => get_oidc(ctx).await,
        "ListAttachedRolePolicies" => list_attached(ctx).await,
        "ListRolePolicies" => list_inline(ctx).await,
        "GetRolePolicy" => get_inline(ctx).await,
        "GetPolicy" => get_policy(ctx).await,
        "GetPolicyVersion" => get_policy_version(ctx).await,
        "ListInstanceProfiles" => list_all_instance_profiles(ctx).await,
        _ => list_instance_profiles(ctx).await,
    };
    r.unwrap_or_else(|e| e)
}

fn account<'a>(ctx: &'a Ctx<'_>) -> Result<&'a Account, Response> {
    ctx.account().ok_or_else(|| ctx.error(500, "ServiceFailure", "The caller's account is not in the estate."))
}

fn role<'a>(ctx: &Ctx<'_>, account: &'a Account, name: &str) -> Result<&'a Role, Response> {
    account
        .role(name)
        .ok_or_else(|| ctx.error(404, "NoSuchEntity", &format!("The role with name {name} cannot be found.")))
}

/// A page of `items` as `<{key}><member>…`, `<IsTruncated>` and, when truncated, `<Marker>`.
fn page(ctx: &Ctx<'_>, key: &str, items: &[Value], start: usize, size: usize) -> Vec<Element> {
    let (items, next) = ctx.page(items, start, size);
    let mut out =
        vec![query(key, &Value::Array(items.to_vec())), Element::leaf("IsTruncated", next.is_some().to_string())];
    if let Some(n) = next {
        out.push(Element::leaf("Marker", n));
    }
    out
}

/// The path of a managed policy ARN (`/` for `arn:aws:iam::aws:policy/AdministratorAccess`).
fn policy_path(arn: &str) -> String {
    let rest = arn.split_once(":policy").map(|(_, p)| p).unwrap_or("/");
    match rest.rfind('/') {
        Some(i) => rest[..=i].to_string(),
        None => "/".into(),
    }
}

async fn list_roles(ctx: &Ctx<'_>) -> Result<Response, Response> {
    let (start, size) = ctx.gate_paged(ctx.call(), "Marker", ("MaxItems", 1, 1000)).await?;
    let prefix = ctx.params.get("PathPrefix").unwrap_or("/");
    let items: Vec<Value> = account(ctx)?
        .iam
        .roles
        .iter()
        .map(|r| r.wire(false))
        .filter(|r| s(r, "Path").unwrap_or("/").starts_with(prefix))
        .collect();
    Ok(ctx.query_ok(page(ctx, "Roles", &items, start, size)))
}

async fn get_role(ctx: &Ctx<'_>) -> Result<Response, Response> {
    let name = ctx.required("RoleName")?;
    ctx.gate(Call { role: Some(name), ..ctx.call() }).await?;
    let r = role(ctx, account(ctx)?, name)?;
    Ok(ctx.query_ok(vec![query("Role", &r.wire(true))]))
}

async fn list_oidc(ctx: &Ctx<'_>) -> Result<Response, Response> {
    ctx.gate(ctx.call()).await?;
    let list: Vec<Value> =
        account(ctx)?.iam.oidc_providers.iter().map(|p| json!({"Arn": s(p, "Arn").unwrap_or_default()})).collect();
    Ok(ctx.query_ok(vec![query("OpenIDConnectProviderList", &Value::Array(list))]))
}

async fn get_oidc(ctx: &Ctx<'_>) -> Result<Response, Response> {
    let arn = ctx.required("OpenIDConnectProviderArn")?;
    ctx.gate(Call { resource: Some(arn), ..ctx.call() }).await?;
    if !arn.starts_with("arn:") {
        return Err(ctx.invalid(&format!("ARN {arn} is not valid.")));
    }
    let Some(p) = account(ctx)?.oidc_provider(arn) else {
        return Err(ctx.error(404, "NoSuchEntity", &format!("OpenIDConnect Provider not found for arn {arn}")));
    };
    let mut p = p.clone();
    if let Some(m) = p.as_object_mut() {
        m.remove("Arn");
    }
    Ok(ctx.query_ok(query_members(&p)))
}

async fn list_attached(ctx: &Ctx<'_>) -> Result<Response, Response> {
    let name = ctx.required("RoleName")?;
    let (start, size) =
        ctx.gate_paged(Call { role: Some(name), ..ctx.call() }, "Marker", ("MaxItems", 1, 1000)).await?;
    let r = role(ctx, account(ctx)?, name)?;
    let prefix = ctx.params.get("PathPrefix").unwrap_or("/");
    let items: Vec<Value> = r
        .attached_policies
        .iter()
        .filter(|p| policy_path(s(p, "PolicyArn").unwrap_or_default()).starts_with(prefix))
        .cloned()
        .collect();
    Ok(ctx.query_ok(page(ctx, "AttachedPolicies", &items, start, size)))
}

async fn list_inline(ctx: &Ctx<'_>) -> Result<Response, Response> {
    let name = ctx.required("RoleName")?;
    let (start, size) =
        ctx.gate_paged(Call { role: Some(name), ..ctx.call() }, "Marker", ("MaxItems", 1, 1000)).await?;
    let r = role(ctx, account(ctx)?, name)?;
    let items: Vec<Value> = r.role_policies.iter().map(|p| json!(p.name)).collect();
    Ok(ctx.query_ok(page(ctx, "PolicyNames", &items, start, size)))
}

async fn get_inline(ctx: &Ctx<'_>) -> Result<Response, Response> {
    let name = ctx.required("RoleName")?;
    let policy = ctx.required("PolicyName")?;
    ctx.gate(Call { role: Some(name), ..ctx.call() }).await?;
    let r = role(ctx, account(ctx)?, name)?;
    let Some(p) = r.role_policies.iter().find(|p| p.name == policy) else {
        return Err(ctx.error(404, "NoSuchEntity", &format!("The role policy with name {policy} cannot be found.")));
    };
    Ok(ctx.query_ok(vec![
        Element::leaf("RoleName", name),
        Element::leaf("PolicyName", &p.name),
        Element::leaf("PolicyDocument", p.document.wire()),
    ]))
}

fn no_policy(ctx: &Ctx<'_>, arn: &str) -> Response {
    ctx.error(404, "NoSuchEntity", &format!("Policy {arn} does not exist or is not attachable."))
}

async fn get_policy(ctx: &Ctx<'_>) -> Result<Response, Response> {
    let arn = ctx.required("PolicyArn")?;
    ctx.gate(Call { policy: Some(arn), resource: Some(arn), ..ctx.call() }).await?;
    if !arn.starts_with("arn:") {
        return Err(ctx.invalid(&format!("ARN {arn} is not valid.")));
    }
    let p = account(ctx)?.policy(arn).ok_or_else(|| no_policy(ctx, arn))?;
    Ok(ctx.query_ok(vec![query("Policy", &p.policy)]))
}

async fn get_policy_version(ctx: &Ctx<'_>) -> Result<Response, Response> {
    let arn = ctx.required("PolicyArn")?;
    let version = ctx.required("VersionId")?;
    ctx.gate(Call { policy: Some(arn), resource: Some(arn), ..ctx.call() }).await?;
    let p = account(ctx)?.policy(arn).ok_or_else(|| no_policy(ctx, arn))?;
    let Some(v) = p.version(version) else {
        return Err(ctx.error(
            404,
            "NoSuchEntity",
            &format!("Policy {arn} version {version} does not exist or is not attachable."),
        ));
    };
    let mut out = json!({
        "Document": v.document.wire(),
        "VersionId": v.version_id,
        "IsDefaultVersion": v.is_default.unwrap_or(false),
    });
    if let Some(d) = &v.create_date {
        out["CreateDate"] = d.clone();
    }
    Ok(ctx.query_ok(vec![query("PolicyVersion", &out)]))
}

async fn list_instance_profiles(ctx: &Ctx<'_>) -> Result<Response, Response> {
    let name = ctx.required("RoleName")?;
    let (start, size) =
        ctx.gate_paged(Call { role: Some(name), ..ctx.call() }, "Marker", ("MaxItems", 1, 1000)).await?;
    let r = role(ctx, account(ctx)?, name)?;
    let items: Vec<Value> = r
        .instance_profiles
        .iter()
        .map(|ip| {
            let mut ip = ip.clone();
            ip["Roles"] = json!([r.wire(false)]);
            ip
        })
        .collect();
    Ok(ctx.query_ok(page(ctx, "InstanceProfiles", &items, start, size)))
}

/// Every instance profile of the account (from the roles' `InstanceProfiles`), each with the
/// roles in it.
async fn list_all_instance_profiles(ctx: &Ctx<'_>) -> Result<Response, Response> {
    let (start, size) = ctx.gate_paged(ctx.call(), "Marker", ("MaxItems", 1, 1000)).await?;
    let prefix = ctx.params.get("PathPrefix").unwrap_or("/");
    let mut profiles: Vec<Value> = Vec::new();
    for r in &account(ctx)?.iam.roles {
        for ip in &r.instance_profiles {
            let arn = s(ip, "Arn").unwrap_or_default();
            match profiles.iter_mut().find(|p| s(p, "Arn") == Some(arn)) {
                Some(p) => {
                    if let Some(roles) = p["Roles"].as_array_mut() {
                        roles.push(r.wire(false));
                    }
                }
                None => {
                    let mut p = ip.clone();
                    p["Roles"] = json!([r.wire(false)]);
                    profiles.push(p);
                }
            }
        }
    }
    profiles.retain(|p| s(p, "Path").unwrap_or("/").starts_with(prefix));
    Ok(ctx.query_ok(page(ctx, "InstanceProfiles", &profiles, start, size)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_paths() {
        assert_eq!(policy_path("arn:aws:iam::aws:policy/AdministratorAccess"), "/");
        assert_eq!(policy_path("arn:aws:iam::aws:policy/service-role/AmazonEKS_CNI_Policy"), "/service-role/");
        assert_eq!(policy_path("arn:aws:iam::111122223333:policy/team/a/p"), "/team/a/");
    }
}
