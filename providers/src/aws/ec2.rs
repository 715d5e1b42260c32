//! Node metadata options: the node group's launch template version, or, without one, each of
//! its running instances (`DescribeInstances` by the `eks:nodegroup-name` tag).

use super::error::err;
use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::Filter;
use kubeposture_checks::Field;
use kubeposture_checks::model::Imds;

/// A node group's launch template reference (`launchTemplate` of DescribeNodegroup).
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
        (None, None) => return Field::unknown(path, "the node group's launchTemplate names neither an id nor a name"),
    };
    let out = match req.send().await {
        Ok(o) => o,
        Err(e) => return Field::unknown(path, err("DescribeLaunchTemplateVersions")(e).to_string()),
    };
    let Some(v) = out.launch_template_versions().first() else {
        return Field::unknown(path, format!("DescribeLaunchTemplateVersions returned no version {version}"));
    };
    let label = t.id.or(v.launch_template_id()).or(t.name).unwrap_or("?");
    let number = v.version_number().map(|n| n.to_string()).unwrap_or_else(|| version.to_string());
    let options = v.launch_template_data().and_then(|d| d.metadata_options());
    let imds = Imds {
        source: format!("launchTemplate[{label}:{number}].LaunchTemplateData.MetadataOptions"),
        http_tokens: options.and_then(|o| o.http_tokens()).map(|t| t.as_str().to_string()),
        hop_limit: options.and_then(|o| o.http_put_response_hop_limit()).map(i64::from),
        endpoint: options.and_then(|o| o.http_endpoint()).map(|e| e.as_str().to_string()),
    };
    Field::value(path, vec![imds], format!("{label} version {number}"))
}

pub async fn from_instances(ec2: &Client, path: String, cluster: &str, nodegroup: &str) -> Field<Vec<Imds>> {
    let filter = |name: &str, values: &[&str]| {
        Filter::builder().name(name).set_values(Some(values.iter().map(|v| v.to_string()).collect())).build()
    };
    let reservations = ec2
        .describe_instances()
        .filters(filter("tag:eks:nodegroup-name", &[nodegroup]))
        .filters(filter("tag:eks:cluster-name", &[cluster]))
        .filters(filter("instance-state-name", &["pending", "running"]))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    let reservations = match reservations {
        Ok(r) => r,
        Err(e) => return Field::unknown(path, err("DescribeInstances")(e).to_string()),
    };
    let imds: Vec<Imds> = reservations
        .iter()
        .flat_map(|r| r.instances())
        .map(|i| {
            let o = i.metadata_options();
            Imds {
                source: format!("instance[{}].MetadataOptions", i.instance_id().unwrap_or("?")),
                http_tokens: o.and_then(|o| o.http_tokens()).map(|t| t.as_str().to_string()),
                hop_limit: o.and_then(|o| o.http_put_response_hop_limit()).map(i64::from),
                endpoint: o.and_then(|o| o.http_endpoint()).map(|e| e.as_str().to_string()),
            }
        })
        .collect();
    if imds.is_empty() {
        return Field::unknown(path, "the node group has no launch template and no running instances to read from");
    }
    let raw = format!("{} running instance(s)", imds.len());
    Field::value(path, imds, raw)
}

/// The running instances' options when there are any (they are what is in effect), each
/// source annotated with why; else the launch template's.
pub fn effective(template: Field<Vec<Imds>>, running: Field<Vec<Imds>>, note: &str) -> Field<Vec<Imds>> {
    match running.get() {
        Some(instances) if !instances.is_empty() => {
            let annotated =
                instances.iter().map(|i| Imds { source: format!("{} ({note})", i.source), ..i.clone() }).collect();
            Field::value(running.path.clone(), annotated, running.observed())
        }
        _ => template,
    }
}
