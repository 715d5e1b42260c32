//! Shared by the WKL checks: which workloads are judged (exempt namespaces left out, lists that
//! could not be read named), per-container verdicts folded into one per workload, and the
//! small parsers the checks share (capability names, image registries).

use crate::catalog::eks::wildcard_match;
use crate::catalog::tally::Tally;
use crate::context::Context;
use crate::field::Field;
use crate::model::{Cluster, Container, ContainerList, Workload, Workloads};
use crate::outcome::{Evidence, Outcome};

/// What one check says about one workload.
pub enum Verdict {
    Pass,
    /// The check does not apply to this workload (a Windows pod for AppArmor).
    NotApplicable,
    /// Why (one phrase per offending container or setting) and the evidence.
    Fail(Vec<String>, Vec<Evidence>),
    Unknown(String, Vec<Evidence>),
}

impl Verdict {
    /// One container-level finding per offending container; none → pass.
    pub fn from_findings(found: Vec<(String, Evidence)>) -> Verdict {
        if found.is_empty() {
            return Verdict::Pass;
        }
        let (why, evidence) = found.into_iter().unzip();
        Verdict::Fail(why, evidence)
    }
}

/// The value of a field a check needs whole, or the `unknown` outcome it gives.
pub fn need<'a, T>(field: &'a Field<T>, what: &str) -> Result<&'a T, Outcome> {
    match field.get() {
        Some(v) => Ok(v),
        None if field.is_unknown() => Err(Outcome::unknown_because(
            format!("{what} could not be read: {}", field.unknown_reason().unwrap_or("not collected")),
            vec![Evidence::of(field)],
        )),
        None => Err(Outcome::unknown_because(
            format!("{what} is absent from what was collected, so it cannot be judged."),
            vec![Evidence::of(field)],
        )),
    }
}

/// The workloads and what could not be listed.
pub fn workloads(c: &Cluster) -> Result<&Workloads, Outcome> {
    need(&c.data_plane.workloads, "The cluster's workloads (Kubernetes API)")
}

/// Runs `judge` on every workload outside the exempt namespaces and folds the verdicts.
pub fn judge_workloads(
    c: &Cluster,
    ctx: &Context,
    fail: &str,
    pass: &str,
    judge: impl Fn(&Workload) -> Verdict,
) -> Outcome {
    let set = match workloads(c) {
        Ok(w) => w,
        Err(o) => return o,
    };
    let mut tally = Tally::default();
    for w in set.items.iter().filter(|w| !ctx.thresholds.workloads.exempt(&w.namespace)) {
        match judge(w) {
            Verdict::Pass => tally.pass(),
            Verdict::NotApplicable => {}
            Verdict::Fail(why, evidence) => tally.fail(w.id(), why.join(", "), evidence),
            Verdict::Unknown(why, evidence) => tally.unknown(w.id(), why, evidence),
        }
    }
    add_gaps(&mut tally, set, &c.data_plane.workloads);
    tally.outcome("workload", fail, pass, vec![])
}

/// Names the kinds that could not be listed (their workloads are not judged).
pub fn add_gaps(tally: &mut Tally, set: &Workloads, field: &Field<Workloads>) {
    for g in &set.gaps {
        tally.gap(
            format!("{} could not be listed ({})", g.kind, g.reason),
            Evidence::new(format!("{}[{}]", field.path, g.kind), format!("unknown: {}", g.reason)),
        );
    }
}

/// Every container of the template, in spec order (containers, init, ephemeral).
pub fn containers(w: &Workload) -> impl Iterator<Item = &Container> {
    w.pod.containers.iter()
}

/// Containers that run the workload's code (not ephemeral debug containers).
pub fn running_containers(w: &Workload) -> impl Iterator<Item = &Container> {
    w.pod.containers.iter().filter(|c| c.list != ContainerList::EphemeralContainers)
}

/// `ns/Kind/name:spec.template.spec.containers[app].LEAF`.
pub fn container_path(w: &Workload, c: &Container, leaf: &str) -> String {
    w.at(&format!("{}.{leaf}", c.at()))
}

/// The containers whose boolean `securityContext.FIELD` is not `want` (absent counts as not),
/// each named with the value seen.
pub fn containers_without(w: &Workload, field: &str, want: bool, get: impl Fn(&Container) -> Option<bool>) -> Verdict {
    let found = containers(w)
        .filter(|k| get(k) != Some(want))
        .map(|k| {
            let path = container_path(w, k, &format!("securityContext.{field}"));
            let seen = shown(&get(k));
            (format!("{}: {field} {seen}", k.name), Evidence::new(path, seen))
        })
        .collect();
    Verdict::from_findings(found)
}

/// A container-level `Option<bool>` shown as evidence.
pub fn shown<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(|v| v.to_string()).unwrap_or_else(|| "(absent)".into())
}

/// A capability name without `CAP_`, upper-case: `cap_sys_admin` → `SYS_ADMIN`.
pub fn capability(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase();
    upper.strip_prefix("CAP_").map(str::to_string).unwrap_or(upper)
}

/// An image reference's registry host and repository path, as container runtimes resolve
/// them: `redis:latest` → (`docker.io`, `library/redis`); `myacr.azurecr.io/team/app@sha256:…`
/// → (`myacr.azurecr.io`, `team/app`). `None` for an empty reference.
pub fn image_repository(image: &str) -> Option<(String, String)> {
    let image = image.trim();
    // Digest, then a tag after the last path segment's colon.
    let image = image.split('@').next().unwrap_or(image);
    let name = match image.rfind(':') {
        Some(i) if !image[i..].contains('/') => &image[..i],
        _ => image,
    };
    if name.is_empty() {
        return None;
    }
    let (host, path) = match name.split_once('/') {
        Some((first, rest)) if first.contains('.') || first.contains(':') || first == "localhost" => {
            (first.to_ascii_lowercase(), rest.to_string())
        }
        _ => ("docker.io".to_string(), name.to_string()),
    };
    let host = match host.as_str() {
        "index.docker.io" | "registry-1.docker.io" => "docker.io".to_string(),
        _ => host,
    };
    let path = if host == "docker.io" && !path.contains('/') { format!("library/{path}") } else { path };
    if path.is_empty() {
        return None;
    }
    Some((host, path))
}

/// Whether `image` comes from one of `allowed`: `HOST` or `HOST/PATH-PREFIX`, `HOST` with `*`
/// wildcards (`*.azurecr.io`); a path prefix matches whole segments.
pub fn registry_allowed(image: &str, allowed: &[String]) -> bool {
    let Some((host, path)) = image_repository(image) else { return false };
    allowed.iter().any(|entry| {
        let entry = entry.trim().trim_end_matches('/');
        let (want_host, want_path) = match entry.split_once('/') {
            Some((h, p)) => (h, Some(p)),
            None => (entry, None),
        };
        let want_host = match want_host.to_ascii_lowercase().as_str() {
            "index.docker.io" | "registry-1.docker.io" => "docker.io".to_string(),
            h => h.to_string(),
        };
        if want_host.is_empty() || !wildcard_match(&want_host, &host) {
            return false;
        }
        match want_path {
            None => true,
            Some(p) => path == p || path.starts_with(&format!("{p}/")),
        }
    })
}

/// Whether `path` is `prefix` or below it, by whole path segments (`/var/log` covers
/// `/var/log/pods`, not `/var/logs`).
pub fn path_within(path: &str, prefix: &str) -> bool {
    let norm = |p: &str| p.trim().trim_end_matches('/').to_string();
    let (path, prefix) = (norm(path), norm(prefix));
    if prefix.is_empty() {
        // `/` (or empty) covers every absolute path.
        return path.starts_with('/') || path.is_empty();
    }
    path == prefix || path.starts_with(&format!("{prefix}/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_references_resolve_like_the_runtime() {
        let r = |i: &str| image_repository(i).map(|(h, p)| format!("{h} {p}"));
        assert_eq!(r("redis:latest").as_deref(), Some("docker.io library/redis"));
        assert_eq!(r("bitnami/redis").as_deref(), Some("docker.io bitnami/redis"));
        assert_eq!(
            r("<customer-registry>.azurecr.io/redis:latest").as_deref(),
            Some("<customer-registry>.azurecr.io redis")
        );
        assert_eq!(r("MyAcr.azurecr.io/team/app@sha256:abc").as_deref(), Some("myacr.azurecr.io team/app"));
        assert_eq!(r("localhost:5000/app:1").as_deref(), Some("localhost:5000 app"));
        assert_eq!(r("localhost/app").as_deref(), Some("localhost app"));
        assert_eq!(r("index.docker.io/library/nginx").as_deref(), Some("docker.io library/nginx"));
        assert_eq!(r("").as_deref(), None);
        assert_eq!(r(":tag").as_deref(), None);
    }

    #[test]
    fn registries_match_hosts_wildcards_and_path_prefixes() {
        let allowed: Vec<String> = ["*.azurecr.io", "ghcr.io/my-org", "123456789012.dkr.ecr.*.amazonaws.com"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert!(registry_allowed("myacr.azurecr.io/app:1", &allowed));
        assert!(registry_allowed("ghcr.io/my-org/app", &allowed));
        assert!(!registry_allowed("ghcr.io/my-organisation/app", &allowed));
        assert!(registry_allowed("123456789012.dkr.ecr.eu-west-1.amazonaws.com/app", &allowed));
        assert!(!registry_allowed("redis:latest", &allowed));
        assert!(!registry_allowed("azurecr.io.evil.com/app", &allowed));
        assert!(!registry_allowed("", &allowed));
        assert!(registry_allowed("redis", &["docker.io/library".to_string()]));
    }

    #[test]
    fn host_paths_match_by_segment() {
        assert!(path_within("/var/log/pods", "/var/log"));
        assert!(path_within("/var/log/", "/var/log"));
        assert!(!path_within("/var/logs", "/var/log"));
        assert!(path_within("/etc", "/"));
        assert_eq!(capability("cap_sys_admin"), "SYS_ADMIN");
    }
}
