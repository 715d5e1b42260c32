//! The explicit list of checks. Adding a check = one file in `catalog/` + one line here.

use crate::catalog::*;
use crate::context::Context;
use crate::meta::CheckMeta;
use crate::model::Cluster;
use crate::outcome::Outcome;

/// A check: its metadata and a pure function of the model.
pub struct Check {
    pub meta: CheckMeta,
    pub eval: fn(&Cluster, &Context) -> Outcome,
}

/// Every implemented check, in catalog order.
pub fn all() -> &'static [Check] {
    static ALL: &[Check] = &[net_001::CHECK];
    ALL
}

pub fn find(id: &str) -> Option<&'static Check> {
    all()
        .iter()
        .find(|c| c.meta.id.eq_ignore_ascii_case(id) || c.meta.slug == id)
}

/// Runs every applicable check on one cluster. Pure: same inputs, same outputs.
pub fn evaluate(cluster: &Cluster, ctx: &Context) -> Vec<(&'static CheckMeta, Outcome)> {
    all()
        .iter()
        .filter(|c| c.meta.applies_to(cluster.r#ref.cloud))
        .map(|c| (&c.meta, (c.eval)(cluster, ctx)))
        .collect()
}
