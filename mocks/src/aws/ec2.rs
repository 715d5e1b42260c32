//! EC2 (ec2Query) in the caller's account and the request's region: `DescribeRegions`,
//! `DescribeLaunchTemplateVersions` and `DescribeInstances` (each instance its own
//! reservation). Estate resources are in AWS CLI shape and rendered with EC2 wire names.

use super::Ctx;
use super::estate::{LaunchTemplate, s};
use super::params::glob;
use super::xml::ec2_members;
use crate::faults::Call;
use crate::paging;
use axum::response::Response;
use serde_json::{Value, json};

pub const ACTIONS: &[&str] = &["DescribeRegions", "DescribeLaunchTemplateVersions", "DescribeInstances"];

pub async fn handle(ctx: &Ctx<'_>) -> Response {
    let r = match ctx.action {
        "DescribeRegions" => regions(ctx).await,
        "DescribeLaunchTemplateVersions" => launch_template_versions(ctx).await,
        _ => instances(ctx).await,
    };
    r.unwrap_or_else(|e| e)
}

/// Regions a new account has disabled until it opts in (`optInStatus: opted-in` once enabled).
const OPT_IN_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-south-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-west-1",
    "eu-central-2",
    "eu-south-1",
    "eu-south-2",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
];

fn bad_filter(ctx: &Ctx<'_>, name: &str) -> Response {
    ctx.invalid(&format!("The filter '{name}' is invalid"))
}

/// Whether any of `patterns` matches any of `values`.
fn any_match(patterns: &[String], values: &[&str]) -> bool {
    patterns.iter().any(|p| values.iter().any(|v| glob(p, v)))
}

async fn regions(ctx: &Ctx<'_>) -> Result<Response, Response> {
    ctx.gate(ctx.call()).await?;
    let names = ctx.params.list("RegionName");
    let filters = ctx.params.filters();
    let mut items = vec![];
    for r in ctx.account().map(|a| a.regions.as_slice()).unwrap_or_default() {
        let endpoint = format!("ec2.{r}.amazonaws.com");
        let opt_in = if OPT_IN_REGIONS.contains(&r.as_str()) { "opted-in" } else { "opt-in-not-required" };
        let mut keep = names.is_empty() || names.contains(&r.as_str());
        for (name, values) in &filters {
            let field = match name.as_str() {
                "region-name" => r.as_str(),
                "endpoint" => endpoint.as_str(),
                "opt-in-status" => opt_in,
                other => return Err(bad_filter(ctx, other)),
            };
            keep &= any_match(values, &[field]);
        }
        if keep {
            items.push(json!({"RegionName": r, "Endpoint": endpoint, "OptInStatus": opt_in}));
        }
    }
    Ok(ctx.ec2_ok(ec2_members(&json!({"Regions": items}))))
}

fn lt_not_found(ctx: &Ctx<'_>, id: Option<&str>, name: Option<&str>) -> Response {
    match (id, name) {
        (Some(id), _) => ctx.error(
            400,
            "InvalidLaunchTemplateId.NotFound",
            &format!("The specified launch template, with template ID {id}, does not exist."),
        ),
        (None, name) => ctx.error(
            400,
            "InvalidLaunchTemplateName.NotFoundException",
            &format!("The specified launch template, with template name {}, does not exist.", name.unwrap_or("")),
        ),
    }
}

async fn launch_template_versions(ctx: &Ctx<'_>) -> Result<Response, Response> {
    let (start, size) = ctx.gate_paged(ctx.call(), "NextToken", ("MaxResults", 1, 200)).await?;
    if let Some((name, _)) = ctx.params.filters().first() {
        return Err(bad_filter(ctx, name));
    }
    let (id, name) = (ctx.params.get("LaunchTemplateId"), ctx.params.get("LaunchTemplateName"));
    let selectors = ctx.params.list("LaunchTemplateVersion");
    let templates: Vec<&LaunchTemplate> = match (id, name) {
        (Some(_), Some(_)) => {
            return Err(ctx.error(
                400,
                "InvalidParameterCombination",
                "Specify either the launch template ID or the launch template name, not both.",
            ));
        }
        (Some(i), None) if !i.starts_with("lt-") => {
            return Err(ctx.error(
                400,
                "InvalidLaunchTemplateId.Malformed",
                &format!("The specified launch template ID {i} is malformed."),
            ));
        }
        (None, None) if !selectors.is_empty() && selectors.iter().all(|v| *v == "$Latest" || *v == "$Default") => {
            ctx.regional().launch_templates.iter().collect()
        }
        (None, None) => {
            return Err(ctx.error(
                400,
                "MissingParameter",
                "The request must contain the parameter LaunchTemplateName or LaunchTemplateId",
            ));
        }
        _ => {
            let lt = ctx.regional().launch_templates.iter().find(|lt| {
                id.is_some_and(|i| i == lt.launch_template_id) || name.is_some_and(|n| n == lt.launch_template_name)
            });
            vec![lt.ok_or_else(|| lt_not_found(ctx, id, name))?]
        }
    };
    let bound = |k: &str| -> Result<Option<i64>, Response> {
        ctx.params
            .get(k)
            .map(|v| v.parse().map_err(|_| ctx.invalid(&format!("Invalid value '{v}' for {k}"))))
            .transpose()
    };
    let (min, max) = (bound("MinVersion")?, bound("MaxVersion")?);
    let mut items: Vec<Value> = vec![];
    for lt in templates {
        let mut chosen: Vec<&Value> = if selectors.is_empty() {
            lt.versions.iter().collect()
        } else {
            let mut v = vec![];
            for sel in &selectors {
                if *sel != "$Latest" && *sel != "$Default" && sel.parse::<i64>().is_err() {
                    return Err(ctx.invalid(&format!("The launch template version {sel} is not valid.")));
                }
                let found = lt.version(sel).ok_or_else(|| {
                    ctx.error(
                        400,
                        "InvalidLaunchTemplateId.VersionNotFound",
                        &format!(
                            "Could not find launch template version {sel} for launch template {}.",
                            lt.launch_template_id
                        ),
                    )
                })?;
                if !v.contains(&found) {
                    v.push(found);
                }
            }
            v
        };
        let number = |v: &Value| v.get("VersionNumber").and_then(Value::as_i64).unwrap_or_default();
        chosen.retain(|v| min.is_none_or(|m| number(v) >= m) && max.is_none_or(|m| number(v) <= m));
        chosen.sort_by_key(|v| std::cmp::Reverse(number(v)));
        items.extend(chosen.into_iter().cloned());
    }
    let (page, next) = ctx.page(&items, start, size);
    let mut out = json!({"LaunchTemplateVersions": page});
    if let Some(n) = next {
        out["NextToken"] = json!(n);
    }
    Ok(ctx.ec2_ok(ec2_members(&out)))
}

/// The values an instance has for a filter name, or `None` for a filter the mock does not know.
fn filter_values<'a>(inst: &'a Value, name: &str) -> Option<Vec<&'a str>> {
    let tags = || inst.get("Tags").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let at = |p: &str| inst.pointer(p).and_then(Value::as_str).into_iter().collect::<Vec<_>>();
    Some(match name {
        "instance-id" => at("/InstanceId"),
        "instance-state-name" => at("/State/Name"),
        "iam-instance-profile.arn" => at("/IamInstanceProfile/Arn"),
        "metadata-options.http-tokens" => at("/MetadataOptions/HttpTokens"),
        "metadata-options.http-endpoint" => at("/MetadataOptions/HttpEndpoint"),
        "vpc-id" => at("/VpcId"),
        "subnet-id" => at("/SubnetId"),
        "tag-key" => tags().iter().filter_map(|t| s(t, "Key")).collect(),
        "tag-value" => tags().iter().filter_map(|t| s(t, "Value")).collect(),
        _ => {
            let key = name.strip_prefix("tag:")?;
            tags().iter().filter(|t| s(t, "Key") == Some(key)).filter_map(|t| s(t, "Value")).collect()
        }
    })
}

fn reservation_id(instance_id: &str) -> String {
    let h = instance_id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    format!("r-0{h:016x}")
}

/// The clusters an instance is a node of, by the tags EKS, Karpenter and eksctl put on nodes
/// (`kubernetes.io/cluster/NAME` = `owned`/`shared`, `eks:cluster-name`, `aws:eks:cluster-name`,
/// `eks:eks-cluster-name`).
fn node_of(inst: &Value) -> Vec<&str> {
    let tags = inst.get("Tags").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    tags.iter()
        .filter_map(|t| {
            let (key, value) = (s(t, "Key")?, s(t, "Value")?);
            match key.strip_prefix("kubernetes.io/cluster/") {
                Some(name) if matches!(value.trim(), "owned" | "shared") => Some(name),
                Some(_) => None,
                None => {
                    ["eks:cluster-name", "aws:eks:cluster-name", "eks:eks-cluster-name"].contains(&key).then_some(value)
                }
            }
        })
        .collect()
}

async fn instances(ctx: &Ctx<'_>) -> Result<Response, Response> {
    let filters = ctx.params.filters();
    let paged = ctx.params.get("MaxResults").is_some() || ctx.params.get("NextToken").is_some();
    let rate_class = (filters.is_empty() && !paged).then_some("unfiltered");
    let selected = select_instances(ctx, &filters);
    // The `cluster` fault selector: the page that holds a node of that cluster.
    let holds: Vec<String> = match (&selected, ctx.page_size("MaxResults", 5, 1000), ctx.start("NextToken")) {
        (Ok(items), Ok(size), Ok(start)) => {
            paging::page(items, start, size).0.iter().flat_map(node_of).map(str::to_string).collect()
        }
        _ => vec![],
    };
    let call = Call { clusters: &holds, rate_class, ..ctx.call() };
    let (start, size) = ctx.gate_paged(call, "NextToken", ("MaxResults", 5, 1000)).await?;
    let items = selected?;
    let (page, next) = ctx.page(&items, start, size);
    let owner = &ctx.identity.account;
    let reservations: Vec<Value> = page
        .iter()
        .map(|i| {
            json!({
                "ReservationId": reservation_id(s(i, "InstanceId").unwrap_or_default()),
                "OwnerId": owner,
                "Groups": [],
                "Instances": [i],
            })
        })
        .collect();
    let mut out = json!({"Reservations": reservations});
    if let Some(n) = next {
        out["NextToken"] = json!(n);
    }
    Ok(ctx.ec2_ok(ec2_members(&out)))
}

/// The instances the request's ids and filters select, or the error EC2 answers.
fn select_instances(ctx: &Ctx<'_>, filters: &[(String, Vec<String>)]) -> Result<Vec<Value>, Response> {
    let ids = ctx.params.list("InstanceId");
    if !ids.is_empty() && ctx.params.get("MaxResults").is_some() {
        return Err(ctx.error(
            400,
            "InvalidParameterCombination",
            "The parameter instancesSet cannot be used with the parameter maxResults",
        ));
    }
    let all = &ctx.regional().instances;
    for id in &ids {
        if !id.starts_with("i-") {
            return Err(ctx.error(400, "InvalidInstanceID.Malformed", &format!("Invalid id: \"{id}\"")));
        }
        if !all.iter().any(|i| s(i, "InstanceId") == Some(id)) {
            return Err(ctx.error(
                400,
                "InvalidInstanceID.NotFound",
                &format!("The instance ID '{id}' does not exist"),
            ));
        }
    }
    let mut items = vec![];
    for inst in all {
        let mut keep = ids.is_empty() || ids.contains(&s(inst, "InstanceId").unwrap_or_default());
        for (name, patterns) in filters {
            let values = filter_values(inst, name).ok_or_else(|| bad_filter(ctx, name))?;
            keep &= any_match(patterns, &values);
        }
        if keep {
            items.push(inst.clone());
        }
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_filters() {
        let i = json!({
            "InstanceId": "i-1", "State": {"Name": "running"},
            "Tags": [{"Key": "eks:nodegroup-name", "Value": "ng-apps"}, {"Key": "team", "Value": "a"}]
        });
        assert_eq!(filter_values(&i, "tag:eks:nodegroup-name"), Some(vec!["ng-apps"]));
        assert_eq!(filter_values(&i, "tag-key"), Some(vec!["eks:nodegroup-name", "team"]));
        assert_eq!(filter_values(&i, "instance-state-name"), Some(vec!["running"]));
        assert_eq!(filter_values(&i, "tag:missing"), Some(vec![]));
        assert_eq!(filter_values(&i, "made-up"), None);
        assert!(any_match(&["ng-*".into()], &["ng-apps"]));
        assert!(!any_match(&["x".into()], &[]));
        assert!(reservation_id("i-1").starts_with("r-") && reservation_id("i-1").len() == 19);
    }
}
