//! Node metadata options: a launch template version (`DescribeLaunchTemplateVersions`), or the
//! running instances' own options, and the instances of a region tagged for clusters
//! (`DescribeInstances`, once per region, paged).

use super::error::err;
use super::pages;
use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{Filter, Instance};
use kubeposture_checks::Field;
use kubeposture_checks::model::Imds;
use std::sync::Arc;

/// A launch template reference: a node group's `launchTemplate`, or an instance's
/// `aws:ec2launchtemplate:id`/`:version` tags.
pub struct TemplateRef<'a> {
    pub id: Option<&'a str>,
    pub name: Option<&'a str>,
    /// A version number, `$Latest` or `$Default`; `None` means the default version.
    pub version: Option<&'a str>,
}

pub async fn from_launch_template(ec2: &Client, path: String, t: TemplateRef<'_>) -> Field<Vec<Imds>> {
    let version = t.version.unwrap_or("$Default");
    let mut req = ec2.describe_launch_template_versions().versions(version);
    req = match (t.id, t.name) {
        (Some(id), _) => req.launch_template_id(id),
        (None, Some(name)) => req.launch_template_name(name),
        (None, None) => return Field::unknown(path, "the launch template reference names neither an id nor a name"),
    };
    let out = match req.send().await {
        Ok(o) => o,
        Err(e) => return Field::unknown(path, err("DescribeLaunchTemplateVersions")(e).to_string()),
    };
    let Some(v) = out.launch_template_versions().first() else {
        return Field::unknown(path, format!("DescribeLaunchTemplateVersions returned no version {version}"));
    };
    let name = v.launch_template_name().or(t.name).unwrap_or("?");
    let id = v.launch_template_id().or(t.id).unwrap_or("?");
    let number = v.version_number().map(|n| n.to_string()).unwrap_or_else(|| version.to_string());
    let options = v.launch_template_data().and_then(|d| d.metadata_options());
    let imds = Imds {
        source: format!("launchTemplate[name={name},id={id},version={number}].LaunchTemplateData.MetadataOptions"),
        http_tokens: options.and_then(|o| o.http_tokens()).map(|t| t.as_str().to_string()),
        hop_limit: options.and_then(|o| o.http_put_response_hop_limit()).map(i64::from),
        endpoint: options.and_then(|o| o.http_endpoint()).map(|e| e.as_str().to_string()),
    };
    Field::value(path, vec![imds], format!("{name} ({id}) version {number}"))
}

/// A running instance's metadata options.
pub fn instance_imds(i: &Instance) -> Imds {
    let o = i.metadata_options();
    Imds {
        source: format!("instance[{}].MetadataOptions", i.instance_id().unwrap_or("?")),
        http_tokens: o.and_then(|o| o.http_tokens()).map(|t| t.as_str().to_string()),
        hop_limit: o.and_then(|o| o.http_put_response_hop_limit()).map(i64::from),
        endpoint: o.and_then(|o| o.http_endpoint()).map(|e| e.as_str().to_string()),
    }
}

/// The running instances' options as a field; none running is unknown (nothing to read from).
pub fn from_instances(path: String, instances: &[&Instance], why_none: &str) -> Field<Vec<Imds>> {
    if instances.is_empty() {
        return Field::unknown(path, why_none);
    }
    let imds: Vec<Imds> = instances.iter().map(|i| instance_imds(i)).collect();
    let raw = format!("{} running instance(s)", imds.len());
    Field::value(path, imds, raw)
}

/// The launch template's options when it sets them all (the catalog's first source); else the
/// running instances' (what is in effect), each annotated with why; else the template's.
pub fn effective(template: Field<Vec<Imds>>, running: impl FnOnce() -> Field<Vec<Imds>>) -> Field<Vec<Imds>> {
    let Some(partial) =
        template.get().and_then(|v| v.iter().find(|i| i.http_tokens.is_none() || i.hop_limit.is_none()))
    else {
        return template;
    };
    let note = format!("{} leaves options unset", partial.source);
    let running = running();
    match running.get() {
        Some(instances) if !instances.is_empty() => {
            let annotated =
                instances.iter().map(|i| Imds { source: format!("{} ({note})", i.source), ..i.clone() }).collect();
            Field::value(running.path.clone(), annotated, running.observed())
        }
        _ => template,
    }
}

/// The instances of a region tagged for any cluster, or why they could not be listed.
pub type RegionInstances = Result<Arc<Vec<Instance>>, String>;

/// Tags that mark an instance as a node of a cluster: `kubernetes.io/cluster/NAME` (owned or
/// shared), `eks:cluster-name` (managed node groups), `aws:eks:cluster-name` (Auto Mode) and
/// `eks:eks-cluster-name` (Karpenter).
pub const NAME_TAGS: [&str; 3] = ["eks:cluster-name", "aws:eks:cluster-name", "eks:eks-cluster-name"];

/// One paged `DescribeInstances` for every pending or running instance with a cluster tag.
pub async fn tagged_instances(ec2: &Client) -> RegionInstances {
    let filter = |name: &str, values: &[&str]| {
        Filter::builder().name(name).set_values(Some(values.iter().map(|v| v.to_string()).collect())).build()
    };
    let mut keys = vec!["kubernetes.io/cluster/*"];
    keys.extend(NAME_TAGS);
    let request = ec2
        .describe_instances()
        .filters(filter("tag-key", &keys))
        .filters(filter("instance-state-name", &["pending", "running"]));
    let reservations =
        pages::all("DescribeInstances", request.into_paginator().send(), |o| o.reservations.unwrap_or_default())
            .await
            .map_err(|e| e.to_string())?;
    Ok(Arc::new(reservations.iter().flat_map(|r| r.instances().iter().cloned()).collect()))
}

/// The value of tag `key` on the instance.
pub fn tag<'a>(i: &'a Instance, key: &str) -> Option<&'a str> {
    i.tags().iter().find(|t| t.key() == Some(key)).and_then(|t| t.value())
}

/// Whether the instance is tagged as a node of `cluster`.
pub fn belongs_to(i: &Instance, cluster: &str) -> bool {
    let owned = format!("kubernetes.io/cluster/{cluster}");
    i.tags().iter().any(|t| match (t.key(), t.value()) {
        (Some(k), Some(v)) if k == owned => {
            v.trim().eq_ignore_ascii_case("owned") || v.trim().eq_ignore_ascii_case("shared")
        }
        (Some(k), Some(v)) => NAME_TAGS.contains(&k) && v == cluster,
        _ => false,
    })
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use aws_sdk_ec2::types::Tag;

    /// An instance with these tags.
    pub fn instance(tags: &[(&str, &str)]) -> Instance {
        let mut b = Instance::builder().instance_id("i-1");
        for (k, v) in tags {
            b = b.tags(Tag::builder().key(*k).value(*v).build());
        }
        b.build()
    }

    #[test]
    fn cluster_membership_by_any_tag() {
        assert!(belongs_to(&instance(&[("kubernetes.io/cluster/prod", "owned")]), "prod"));
        assert!(belongs_to(&instance(&[("kubernetes.io/cluster/prod", "Shared ")]), "prod"));
        assert!(!belongs_to(&instance(&[("kubernetes.io/cluster/prod", "other")]), "prod"));
        assert!(!belongs_to(&instance(&[("kubernetes.io/cluster/prod-2", "owned")]), "prod"));
        for key in NAME_TAGS {
            assert!(belongs_to(&instance(&[(key, "prod")]), "prod"), "{key}");
            assert!(!belongs_to(&instance(&[(key, "prod2")]), "prod"), "{key}");
        }
        assert_eq!(tag(&instance(&[("a", "1"), ("b", "2")]), "b"), Some("2"));
    }
}
