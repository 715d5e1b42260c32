//! A Kubernetes API per cluster on the mock's origin: `/k8s/aks/{subscription}/{resourceGroup}/{name}`
//! and `/k8s/eks/{account}/{region}/{name}`, the addresses the AKS `listClusterUserCredential`
//! kubeconfig and the EKS `DescribeCluster` endpoint name. Read verbs only (`list` with
//! `limit`/`continue`, `get`), metadata-only lists, `fieldSelector` on names, namespaces and a
//! Secret's `type`; bearer tokens checked as the clouds check them (see `auth`); 401 and 403 as
//! the API server answers them (`Status` objects).

pub mod auth;
pub mod estate;
pub mod world;

use crate::faults::{Call, Injected};
use crate::paging;
use crate::state::{Denied, State};
use axum::Json;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use world::{Resource, World};

/// Which cloud a cluster's API belongs to, and the identity it checks tokens against.
#[derive(Clone, Debug)]
pub enum Owner {
    /// The subscription's tenant.
    Aks { tenant: String },
    /// The cluster's name (what `x-k8s-aws-id` must say).
    Eks { name: String },
}

/// One cluster's served API.
pub struct Api {
    /// ARM id or ARN, as the estate spells it.
    pub id: String,
    pub owner: Owner,
    pub reachable: bool,
    pub unauthorized: bool,
    pub forbidden: Vec<String>,
    pub truncated: Vec<String>,
    pub world: World,
}

/// Every cluster's API, by its path key (`aks/SUB/RG/NAME` or `eks/ACCOUNT/REGION/NAME`,
/// lower-case).
#[derive(Default)]
pub struct Apis {
    pub by_key: HashMap<String, Arc<Api>>,
}

/// The path key of an AKS cluster's API.
pub fn aks_key(id: &str) -> Option<String> {
    let s: Vec<&str> = id.trim_matches('/').split('/').collect();
    let at = |k: &str| s.windows(2).find(|w| w[0].eq_ignore_ascii_case(k)).map(|w| w[1]);
    Some(
        format!("aks/{}/{}/{}", at("subscriptions")?, at("resourceGroups")?, at("managedClusters")?)
            .to_ascii_lowercase(),
    )
}

/// The path key of an EKS cluster's API.
pub fn eks_key(account: &str, region: &str, name: &str) -> String {
    format!("eks/{account}/{region}/{name}").to_ascii_lowercase()
}

impl Apis {
    /// Builds every cluster's API from the estate; `Err` names what is not valid.
    pub fn build(estate: &crate::estate::Estate) -> Result<Apis, String> {
        let mut apis = Apis::default();
        let mut sections: HashMap<String, &estate::KubeCluster> = HashMap::new();
        for k in &estate.kubernetes.clusters {
            if sections.insert(k.cluster.to_ascii_lowercase(), k).is_some() {
                return Err(format!("kubernetes.clusters: {} is listed twice", k.cluster));
            }
        }
        let mut add = |key: String, id: String, owner: Owner| -> Result<(), String> {
            let section = sections.remove(&id.to_ascii_lowercase());
            let world = world::build(section).map_err(|e| format!("kubernetes.clusters[{id}].{e}"))?;
            let api = Api {
                reachable: section.is_none_or(|s| s.reachable),
                unauthorized: section.is_some_and(|s| s.unauthorized),
                forbidden: section
                    .map(|s| s.forbidden.iter().map(|f| f.to_ascii_lowercase()).collect())
                    .unwrap_or_default(),
                truncated: section
                    .map(|s| s.truncated.iter().map(|f| f.to_ascii_lowercase()).collect())
                    .unwrap_or_default(),
                id,
                owner,
                world,
            };
            apis.by_key.insert(key, Arc::new(api));
            Ok(())
        };
        for s in &estate.azure.subscriptions {
            for c in &s.managed_clusters {
                let Some(id) = crate::estate::resource_id(c) else { continue };
                let Some(key) = aks_key(id) else { continue };
                add(key, id.to_string(), Owner::Aks { tenant: s.tenant_id.clone() })?;
            }
        }
        for a in &estate.aws.accounts {
            for (region, r) in &a.regional {
                for c in &r.clusters {
                    let name = c.name();
                    let arn = c
                        .cluster
                        .get("arn")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                        .unwrap_or_else(|| format!("arn:aws:eks:{region}:{}:cluster/{name}", a.account_id));
                    add(eks_key(&a.account_id, region, name), arn, Owner::Eks { name: name.to_string() })?;
                }
            }
        }
        if let Some(id) = sections.keys().next() {
            return Err(format!(
                "kubernetes.clusters: {id} is not the id of an AKS cluster or the ARN of an EKS cluster of the estate"
            ));
        }
        Ok(apis)
    }
}

/// The address a cluster's credentials name: its API on the mock, or, for a cluster the
/// scanner cannot reach, a port that refuses connections.
pub fn server_url(state: &State, key: &str) -> String {
    match state.k8s.by_key.get(key) {
        Some(api) if !api.reachable => state.unreachable_url.clone(),
        _ => format!("{}/k8s/{key}", state.base_url),
    }
}

/// The kubeconfig `listClusterUserCredential` returns (format `exec`: kubelogin for the AKS
/// server app), pointing at the cluster's API on the mock.
pub fn aks_kubeconfig(state: &State, id: &str, name: &str) -> String {
    let key = aks_key(id).unwrap_or_default();
    let server = server_url(state, &key);
    let ca = base64(state.ca_pem.as_bytes());
    format!(
        "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: {ca}\n    server: {server}\n  name: {name}\ncontexts:\n- context:\n    cluster: {name}\n    user: clusterUser_{name}\n  name: {name}\ncurrent-context: {name}\nkind: Config\npreferences: {{}}\nusers:\n- name: clusterUser_{name}\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      args:\n      - get-token\n      - --environment\n      - AzurePublicCloud\n      - --server-id\n      - {app}\n      - --login\n      - devicecode\n      command: kubelogin\n      env: null\n      provideClusterInfo: false\n",
        app = auth::AKS_APP
    )
}

/// Points a `DescribeCluster` body at the cluster's API on the mock: `endpoint` and
/// `certificateAuthority.data` (the mock's CA).
pub fn point_eks(state: &State, key: &str, cluster: &mut Value) {
    if let Some(c) = cluster.as_object_mut() {
        c.insert("endpoint".into(), json!(server_url(state, key)));
        c.insert("certificateAuthority".into(), json!({"data": base64(state.ca_pem.as_bytes())}));
    }
}

pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            out.push(if i <= chunk.len() { ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char } else { '=' });
        }
    }
    out
}

/// A Kubernetes `Status` error.
fn status(code: u16, reason: &str, message: &str, details: Value) -> Response {
    let body = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": message, "reason": reason, "details": details, "code": code
    });
    (StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), Json(body)).into_response()
}

fn denied(d: Denied) -> Response {
    match d {
        Denied::Throttled(t) => {
            let message = t.message.unwrap_or_else(|| "Too many requests, please try again later.".into());
            let mut r = status(
                429,
                t.code.unwrap_or("TooManyRequests"),
                &message,
                json!({"retryAfterSeconds": t.retry_after_secs.unwrap_or(1)}),
            );
            if let Some(v) = t.retry_after_secs.and_then(|s| s.to_string().parse().ok()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
        Denied::Injected(Injected::Error { status: code, code: reason, message }) => {
            status(code, &reason, &message, json!({}))
        }
        // Validation allows repeatToken on AWS lists only.
        Denied::Injected(Injected::RepeatToken) => {
            status(500, "InternalError", "repeatToken is not a Kubernetes fault", json!({}))
        }
        Denied::Injected(Injected::Malformed) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            "{\"kind\":\"PodList\",\"items\":[{\"metadata\":",
        )
            .into_response(),
    }
}

/// A parsed API path: the resource, the namespace (if the path names one) and the name (get).
struct Target<'a> {
    resource: &'static Resource,
    namespace: Option<&'a str>,
    name: Option<&'a str>,
}

fn parse<'a>(segments: &[&'a str]) -> Option<Target<'a>> {
    let (gv, rest): (String, &[&str]) = match segments {
        ["api", "v1", rest @ ..] => ("v1".into(), rest),
        ["apis", group, version, rest @ ..] => (format!("{group}/{version}"), rest),
        _ => return None,
    };
    let (namespace, plural, name) = match rest {
        ["namespaces", ns, plural] => (Some(*ns), *plural, None),
        ["namespaces", ns, plural, name] => (Some(*ns), *plural, Some(*name)),
        [plural] => (None, *plural, None),
        [plural, name] => (None, *plural, Some(*name)),
        _ => return None,
    };
    let resource = world::resource(&gv, plural)?;
    if namespace.is_some() && !resource.namespaced {
        return None;
    }
    Some(Target { resource, namespace, name })
}

/// `key=value` / `key==value` / `key!=value` terms of a field selector.
fn field_selector(r: &Resource, text: &str) -> Result<Vec<(String, bool, String)>, String> {
    let mut out = Vec::new();
    for term in text.split(',').filter(|t| !t.is_empty()) {
        let (key, neg, value) = if let Some((k, v)) = term.split_once("!=") {
            (k, true, v)
        } else if let Some((k, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
            (k, false, v)
        } else {
            return Err(format!("invalid selector: '{term}'; can't understand '{term}'"));
        };
        let supported = matches!(key, "metadata.name" | "metadata.namespace") || (r.kind == "Secret" && key == "type");
        if !supported {
            return Err(format!("field label not supported: {key}"));
        }
        out.push((key.to_string(), neg, value.to_string()));
    }
    Ok(out)
}

fn selected(o: &Value, terms: &[(String, bool, String)]) -> bool {
    terms.iter().all(|(k, neg, v)| {
        let got = match k.as_str() {
            "metadata.name" => o.pointer("/metadata/name"),
            "metadata.namespace" => o.pointer("/metadata/namespace"),
            _ => o.get("type"),
        }
        .and_then(Value::as_str)
        .unwrap_or(if k == "type" { "Opaque" } else { "" });
        (got == v) != *neg
    })
}

/// Answers a request under `/k8s/…`; `segments` starts after `k8s`.
pub async fn handle(
    state: &State,
    segments: &[&str],
    query: &[(String, String)],
    headers: &HeaderMap,
    method: &axum::http::Method,
) -> Response {
    let (key, rest) = match segments {
        [cloud, a, b, c, rest @ ..] => (format!("{cloud}/{a}/{b}/{c}").to_ascii_lowercase(), rest),
        _ => return status(404, "NotFound", "the server could not find the requested resource", json!({})),
    };
    let Some(api) = state.k8s.by_key.get(&key).cloned() else {
        return status(404, "NotFound", "the server could not find the requested resource", json!({}));
    };
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let user = match &api.owner {
        Owner::Aks { tenant } => auth::aks(state, authorization, tenant),
        Owner::Eks { name } => auth::eks(state, authorization, name),
    };
    let user = match user {
        Ok(u) if !api.unauthorized => u,
        Ok(_) | Err(_) => {
            if let Err(why) = &user {
                state.count(&format!("k8s:unauthorized@{}", api.id));
                tracing::debug!("k8s {}: 401: {why}", api.id);
            }
            return status(401, "Unauthorized", "Unauthorized", json!({}));
        }
    };
    let Some(target) = parse(rest) else {
        return status(404, "NotFound", "the server could not find the requested resource", json!({}));
    };
    let r = target.resource;
    let verb = if target.name.is_some() { "get" } else { "list" };
    if *method != axum::http::Method::GET {
        return status(405, "MethodNotAllowed", &format!("{method} is not served by this mock (read-only)"), json!({}));
    }
    let group = r.api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
    if api.forbidden.iter().any(|f| f == r.plural) {
        let scope = match target.namespace {
            Some(ns) => format!("in the namespace \"{ns}\""),
            None => "at the cluster scope".into(),
        };
        let why = match &api.owner {
            Owner::Aks { .. } => {
                ": User does not have access to the resource in Azure. Update role assignment to allow access."
            }
            Owner::Eks { .. } => "",
        };
        let message = format!(
            "{} is forbidden: User \"{user}\" cannot {verb} resource \"{}\" in API group \"{group}\" {scope}{why}",
            r.plural, r.plural
        );
        state.count(&format!("k8s:forbidden:{}@{}", r.plural, api.id));
        return status(403, "Forbidden", &message, json!({"kind": r.plural}));
    }
    let page_size = state.opts.page_size.max(1);
    let list_key = format!(
        "{key}|{}|{}|{}",
        r.plural,
        target.namespace.unwrap_or(""),
        query_value(query, "fieldSelector").unwrap_or("")
    );
    let skip = match query_value(query, "continue") {
        None | Some("") => 0,
        Some(t) => match paging::decode_token(&list_key, t) {
            Some(s) => s,
            None => {
                return status(
                    400,
                    "BadRequest",
                    "continue key is not valid: the token does not belong to this list",
                    json!({}),
                );
            }
        },
    };
    let call = Call {
        op: if verb == "get" { "k8s:get" } else { "k8s:list" },
        cluster: Some(&api.id),
        kind: Some(r.plural),
        page: Some(paging::number(skip, page_size)),
        ..Default::default()
    };
    if let Err(d) = state.gate(&call, true).await {
        return denied(d);
    }
    state.count(&format!("k8s:{verb}:{}@{}", r.plural, api.id));
    let metadata_only = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("as=PartialObjectMetadata"));
    let empty = Vec::new();
    let all = api.world.objects.get(r.plural).unwrap_or(&empty);
    let in_ns = |o: &&Value| {
        target.namespace.is_none_or(|ns| o.pointer("/metadata/namespace").and_then(Value::as_str) == Some(ns))
    };
    if let Some(name) = target.name {
        return match all
            .iter()
            .filter(in_ns)
            .find(|o| o.pointer("/metadata/name").and_then(Value::as_str) == Some(name))
        {
            Some(o) if metadata_only => Json(world::list_item(o, true)).into_response(),
            Some(o) => Json(o.clone()).into_response(),
            None => status(
                404,
                "NotFound",
                &format!("{} \"{name}\" not found", r.plural),
                json!({"name": name, "kind": r.plural}),
            ),
        };
    }
    let terms = match query_value(query, "fieldSelector").map(|f| field_selector(r, f)).transpose() {
        Ok(t) => t.unwrap_or_default(),
        Err(m) => return status(400, "BadRequest", &m, json!({})),
    };
    if query_value(query, "labelSelector").is_some_and(|l| !l.is_empty()) {
        return status(400, "BadRequest", "labelSelector is not supported by this mock", json!({}));
    }
    let matching: Vec<&Value> = all.iter().filter(in_ns).filter(|o| selected(o, &terms)).collect();
    let limit = query_value(query, "limit").and_then(|l| l.parse::<usize>().ok()).filter(|l| *l > 0);
    let size = limit.map_or(matching.len().max(1), |l| l.min(page_size));
    let (page, next) = paging::page(&matching, skip, size);
    let items: Vec<Value> = page.iter().map(|o| world::list_item(o, metadata_only)).collect();
    let mut meta = json!({"resourceVersion": "123456"});
    if let Some(n) = next {
        if !api.truncated.iter().any(|t| t == r.plural) {
            meta["continue"] = json!(paging::encode_token(&list_key, n));
        }
        meta["remainingItemCount"] = json!(matching.len() - n);
    }
    let (kind, api_version) = if metadata_only {
        ("PartialObjectMetadataList".to_string(), "meta.k8s.io/v1")
    } else {
        (format!("{}List", r.kind), r.api_version)
    };
    Json(json!({"kind": kind, "apiVersion": api_version, "metadata": meta, "items": items})).into_response()
}

fn query_value<'a>(query: &'a [(String, String)], key: &str) -> Option<&'a str> {
    query.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_paths() {
        let id = "/subscriptions/S/resourceGroups/RG/providers/Microsoft.ContainerService/managedClusters/Prod";
        assert_eq!(aks_key(id).as_deref(), Some("aks/s/rg/prod"));
        let t = parse(&["apis", "apps", "v1", "namespaces", "shop", "deployments"]).unwrap();
        assert_eq!((t.resource.kind, t.namespace, t.name), ("Deployment", Some("shop"), None));
        assert!(parse(&["api", "v1", "namespaces", "x", "clusterroles"]).is_none());
        assert!(parse(&["api", "v2", "pods"]).is_none());
        assert_eq!(base64(b"hello"), "aGVsbG8=");
    }

    #[test]
    fn field_selectors() {
        let secrets = world::resource("v1", "secrets").unwrap();
        let t = field_selector(secrets, "type=kubernetes.io/service-account-token").unwrap();
        assert!(selected(&json!({"type": "kubernetes.io/service-account-token"}), &t));
        assert!(!selected(&json!({"metadata": {}}), &t));
        let pods = world::resource("v1", "pods").unwrap();
        assert!(field_selector(pods, "type=x").unwrap_err().contains("field label not supported"));
    }
}
