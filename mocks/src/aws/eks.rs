//! EKS (restJson1) in the caller's account and the request's region: clusters, node groups,
//! access entries and their access policies, add-ons, and `DescribeClusterVersions`. Lists
//! page with `maxResults`/`nextToken`; errors carry `x-amzn-ErrorType`.

use super::Ctx;
use super::estate::{Cluster, s};
use super::params::percent_decode;
use crate::faults::Call;
use axum::http::Method;
use axum::response::Response;
use serde_json::{Value, json};

/// A parsed EKS request path (segments percent-decoded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    ListClusters,
    DescribeCluster(String),
    ListNodegroups(String),
    DescribeNodegroup(String, String),
    ListAccessEntries(String),
    DescribeAccessEntry(String, String),
    ListAssociatedAccessPolicies(String, String),
    ListAddons(String),
    DescribeAddon(String, String),
    DescribeClusterVersions,
}

pub fn route(method: &Method, path: &str) -> Option<Route> {
    if *method != Method::GET {
        return None;
    }
    let seg: Vec<String> = path.trim_matches('/').split('/').map(percent_decode).collect();
    let seg: Vec<&str> = seg.iter().map(String::as_str).collect();
    let c = |i: usize| seg[i].to_string();
    Some(match seg.as_slice() {
        ["cluster-versions"] => Route::DescribeClusterVersions,
        ["clusters"] => Route::ListClusters,
        ["clusters", _] => Route::DescribeCluster(c(1)),
        ["clusters", _, "node-groups"] => Route::ListNodegroups(c(1)),
        ["clusters", _, "node-groups", _] => Route::DescribeNodegroup(c(1), c(3)),
        ["clusters", _, "access-entries"] => Route::ListAccessEntries(c(1)),
        ["clusters", _, "access-entries", _] => Route::DescribeAccessEntry(c(1), c(3)),
        ["clusters", _, "access-entries", _, "access-policies"] => Route::ListAssociatedAccessPolicies(c(1), c(3)),
        ["clusters", _, "addons"] => Route::ListAddons(c(1)),
        ["clusters", _, "addons", _] => Route::DescribeAddon(c(1), c(3)),
        _ => return None,
    })
}

impl Route {
    pub fn action(&self) -> &'static str {
        match self {
            Route::ListClusters => "ListClusters",
            Route::DescribeCluster(_) => "DescribeCluster",
            Route::ListNodegroups(_) => "ListNodegroups",
            Route::DescribeNodegroup(..) => "DescribeNodegroup",
            Route::ListAccessEntries(_) => "ListAccessEntries",
            Route::DescribeAccessEntry(..) => "DescribeAccessEntry",
            Route::ListAssociatedAccessPolicies(..) => "ListAssociatedAccessPolicies",
            Route::ListAddons(_) => "ListAddons",
            Route::DescribeAddon(..) => "DescribeAddon",
            Route::DescribeClusterVersions => "DescribeClusterVersions",
        }
    }
}

pub async fn handle(ctx: &Ctx<'_>, route: Route) -> Response {
    let r = match &route {
        Route::ListClusters => list_clusters(ctx).await,
        Route::DescribeClusterVersions => cluster_versions(ctx).await,
        Route::DescribeCluster(c) => describe_cluster(ctx, c).await,
        Route::ListNodegroups(c) => list_nodegroups(ctx, c).await,
        Route::DescribeNodegroup(c, ng) => describe_nodegroup(ctx, c, ng).await,
        Route::ListAccessEntries(c) => list_access_entries(ctx, c).await,
        Route::DescribeAccessEntry(c, p) => describe_access_entry(ctx, c, p).await,
        Route::ListAssociatedAccessPolicies(c, p) => list_access_policies(ctx, c, p).await,
        Route::ListAddons(c) => list_addons(ctx, c).await,
        Route::DescribeAddon(c, a) => describe_addon(ctx, c, a).await,
    };
    r.unwrap_or_else(|e| e)
}

fn cluster_arn(ctx: &Ctx<'_>, name: &str) -> String {
    format!("arn:aws:eks:{}:{}:cluster/{name}", ctx.region, ctx.identity.account)
}

fn not_found(ctx: &Ctx<'_>, message: &str, extra: Value) -> Response {
    super::error_with(ctx.service, 404, "ResourceNotFoundException", message, &ctx.request_id, extra)
}

fn cluster<'a>(ctx: &'a Ctx<'_>, name: &str) -> Result<&'a Cluster, Response> {
    ctx.regional()
        .cluster(name)
        .ok_or_else(|| not_found(ctx, &format!("No cluster found for name: {name}."), json!({"clusterName": name})))
}

/// Access entries exist only in the `API` and `API_AND_CONFIG_MAP` authentication modes.
fn access_entries_of<'a>(ctx: &'a Ctx<'_>, name: &str) -> Result<&'a Cluster, Response> {
    let c = cluster(ctx, name)?;
    if c.authentication_mode() == "CONFIG_MAP" {
        return Err(ctx.error(
            400,
            "InvalidRequestException",
            "The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation.",
        ));
    }
    Ok(c)
}

/// `{key: page, "nextToken": token-or-null}`.
fn page(ctx: &Ctx<'_>, key: &str, items: &[Value], start: usize, size: usize) -> Value {
    let (items, next) = ctx.page(items, start, size);
    json!({key: items, "nextToken": next})
}

async fn gate_list(ctx: &Ctx<'_>, cluster: Option<&str>) -> Result<(usize, usize), Response> {
    let arn = cluster.map(|c| cluster_arn(ctx, c));
    let call = Call { cluster: arn.as_deref(), resource: arn.as_deref(), ..ctx.call() };
    ctx.gate_paged(call, "nextToken", ("maxResults", 1, 100)).await
}

async fn list_clusters(ctx: &Ctx<'_>) -> Result<Response, Response> {
    let (start, size) = gate_list(ctx, None).await?;
    let names: Vec<Value> = ctx.regional().clusters.iter().map(|c| json!(c.name())).collect();
    Ok(ctx.json(page(ctx, "clusters", &names, start, size)))
}

async fn describe_cluster(ctx: &Ctx<'_>, name: &str) -> Result<Response, Response> {
    let arn = cluster_arn(ctx, name);
    ctx.gate(Call { cluster: Some(&arn), resource: Some(&arn), ..ctx.call() }).await?;
    let mut body = cluster(ctx, name)?.cluster.clone();
    let key = crate::k8s::eks_key(&ctx.identity.account, &ctx.region, name);
    crate::k8s::point_eks(ctx.state, &key, &mut body);
    Ok(ctx.json(json!({"cluster": body})))
}

async fn list_nodegroups(ctx: &Ctx<'_>, name: &str) -> Result<Response, Response> {
    let (start, size) = gate_list(ctx, Some(name)).await?;
    let items: Vec<Value> =
        cluster(ctx, name)?.nodegroups.iter().filter_map(|n| n.get("nodegroupName").cloned()).collect();
    Ok(ctx.json(page(ctx, "nodegroups", &items, start, size)))
}

async fn describe_nodegroup(ctx: &Ctx<'_>, name: &str, ng: &str) -> Result<Response, Response> {
    let arn = cluster_arn(ctx, name);
    ctx.gate(Call { cluster: Some(&arn), nodegroup: Some(ng), resource: Some(&arn), ..ctx.call() }).await?;
    let n = cluster(ctx, name)?.nodegroup(ng).ok_or_else(|| {
        not_found(
            ctx,
            &format!("No node group found for name: {ng}."),
            json!({"clusterName": name, "nodegroupName": ng}),
        )
    })?;
    Ok(ctx.json(json!({"nodegroup": n})))
}

async fn list_access_entries(ctx: &Ctx<'_>, name: &str) -> Result<Response, Response> {
    let (start, size) = gate_list(ctx, Some(name)).await?;
    let c = access_entries_of(ctx, name)?;
    let policy = ctx.params.get("associatedPolicyArn");
    let items: Vec<Value> = c
        .access_entries
        .iter()
        .filter(|e| policy.is_none_or(|p| e.access_policies.iter().any(|a| s(a, "policyArn") == Some(p))))
        .filter_map(|e| e.access_entry.get("principalArn").cloned())
        .collect();
    Ok(ctx.json(page(ctx, "accessEntries", &items, start, size)))
}

fn no_entry(ctx: &Ctx<'_>, name: &str, principal: &str) -> Response {
    not_found(
        ctx,
        "The specified principalArn could not be found. You can view your available access entries with 'list-access-entries'.",
        json!({"clusterName": name, "principalArn": principal}),
    )
}

async fn describe_access_entry(ctx: &Ctx<'_>, name: &str, principal: &str) -> Result<Response, Response> {
    let arn = cluster_arn(ctx, name);
    ctx.gate(Call { cluster: Some(&arn), principal: Some(principal), resource: Some(&arn), ..ctx.call() }).await?;
    let e = access_entries_of(ctx, name)?.access_entry(principal).ok_or_else(|| no_entry(ctx, name, principal))?;
    Ok(ctx.json(json!({"accessEntry": e.access_entry})))
}

async fn list_access_policies(ctx: &Ctx<'_>, name: &str, principal: &str) -> Result<Response, Response> {
    let arn = cluster_arn(ctx, name);
    let call = Call { cluster: Some(&arn), principal: Some(principal), resource: Some(&arn), ..ctx.call() };
    let (start, size) = ctx.gate_paged(call, "nextToken", ("maxResults", 1, 100)).await?;
    let e = access_entries_of(ctx, name)?.access_entry(principal).ok_or_else(|| no_entry(ctx, name, principal))?;
    let mut body = page(ctx, "associatedAccessPolicies", &e.access_policies, start, size);
    body["clusterName"] = json!(name);
    body["principalArn"] = json!(principal);
    Ok(ctx.json(body))
}

async fn list_addons(ctx: &Ctx<'_>, name: &str) -> Result<Response, Response> {
    let (start, size) = gate_list(ctx, Some(name)).await?;
    let items: Vec<Value> = cluster(ctx, name)?.addons.iter().filter_map(|a| a.get("addonName").cloned()).collect();
    Ok(ctx.json(page(ctx, "addons", &items, start, size)))
}

async fn describe_addon(ctx: &Ctx<'_>, name: &str, addon: &str) -> Result<Response, Response> {
    let arn = cluster_arn(ctx, name);
    ctx.gate(Call { cluster: Some(&arn), addon: Some(addon), resource: Some(&arn), ..ctx.call() }).await?;
    let a = cluster(ctx, name)?.addon(addon).ok_or_else(|| {
        not_found(
            ctx,
            &format!("No addon: {addon} found in cluster: {name}"),
            json!({"clusterName": name, "addonName": addon}),
        )
    })?;
    Ok(ctx.json(json!({"addon": a})))
}

const VERSION_STATUS: &[&str] = &["UNSUPPORTED", "STANDARD_SUPPORT", "EXTENDED_SUPPORT"];

/// `DescribeClusterVersions`: `clusterVersions` picks versions (any status); otherwise
/// `UNSUPPORTED` ones only come with `includeAll=true`. `versionStatus` (or the deprecated
/// `status`), `defaultOnly` and `clusterType` narrow the list.
async fn cluster_versions(ctx: &Ctx<'_>) -> Result<Response, Response> {
    let (start, size) = gate_list(ctx, None).await?;
    let p = &ctx.params;
    let flag = |k: &str| p.flag(k).map_err(|v| ctx.invalid(&format!("Invalid value '{v}' for {k}")));
    let (default_only, include_all) = (flag("defaultOnly")?.unwrap_or(false), flag("includeAll")?.unwrap_or(false));
    let status = match (p.get("versionStatus"), p.get("status")) {
        (Some(v), _) => Some(v.to_string()),
        (None, Some(v)) => Some(v.to_ascii_uppercase().replace('-', "_")),
        (None, None) => None,
    };
    if let Some(st) = status.as_deref().filter(|s| !VERSION_STATUS.contains(s)) {
        return Err(ctx.invalid(&format!("Invalid versionStatus {st}. Valid values: {}", VERSION_STATUS.join(", "))));
    }
    let wanted = p.all("clusterVersions");
    let items: Vec<Value> = ctx
        .state
        .estate
        .aws
        .cluster_versions
        .iter()
        .filter(|v| {
            let version = s(v, "clusterVersion").unwrap_or_default();
            let vs = s(v, "versionStatus").unwrap_or_default();
            let picked = if wanted.is_empty() { include_all || vs != "UNSUPPORTED" } else { wanted.contains(&version) };
            picked
                && status.as_deref().is_none_or(|st| st == vs)
                && (!default_only || v.get("defaultVersion").and_then(Value::as_bool) == Some(true))
                && p.get("clusterType").is_none_or(|t| s(v, "clusterType").is_none_or(|ct| ct == t))
        })
        .cloned()
        .collect();
    Ok(ctx.json(page(ctx, "clusterVersions", &items, start, size)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_decode_the_principal_arn() {
        let r = route(
            &Method::GET,
            "/clusters/prod/access-entries/arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fadmin/access-policies",
        );
        assert_eq!(
            r,
            Some(Route::ListAssociatedAccessPolicies("prod".into(), "arn:aws:iam::111122223333:role/admin".into()))
        );
        assert_eq!(route(&Method::GET, "/clusters"), Some(Route::ListClusters));
        assert_eq!(route(&Method::GET, "/cluster-versions"), Some(Route::DescribeClusterVersions));
        assert_eq!(route(&Method::GET, "/clusters/c/addons/vpc-cni").map(|r| r.action()), Some("DescribeAddon"));
        assert_eq!(route(&Method::POST, "/clusters"), None);
        assert_eq!(route(&Method::GET, "/clusters/c/updates"), None);
    }
}
