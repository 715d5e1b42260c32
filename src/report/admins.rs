//! Who can act as cluster admin, across both clouds: one row per (principal, cluster) from
//! IDN-012's subjects (facts `how`, `terms`, `principal_type`), and from inside the clusters
//! the cluster-admin bindings (K8S-001) and `aws-auth` `system:masters` mappings (K8S-002) —
//! their subjects that carry a `how`. Clusters whose inventory is incomplete are listed with
//! the reason, never dropped.

use super::text::{clean, neutralize};
use crate::findings::ScanResult;
use kubeposture_checks::Status;
use serde::Serialize;
use std::io::Write;

pub const INVENTORY_CHECK: &str = "IDN-012";
/// Admin paths inside the cluster, read from its Kubernetes API.
pub const IN_CLUSTER_CHECKS: [&str; 2] = ["K8S-001", "K8S-002"];

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct AdminRow {
    pub principal: String,
    pub principal_id: String,
    pub principal_type: String,
    pub cloud: &'static str,
    pub account: String,
    pub cluster: String,
    pub how: String,
    pub terms: String,
    /// The subject's own status (`pass`, or `unknown` when its terms could not be read).
    pub status: &'static str,
    pub cluster_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Incomplete {
    pub cloud: &'static str,
    pub cluster: String,
    pub reason: String,
}

#[derive(Debug, Default, Serialize)]
pub struct Inventory {
    pub admins: Vec<AdminRow>,
    /// Clusters whose inventory could not be completed (IDN-012, K8S-001 or K8S-002 `unknown`).
    pub incomplete: Vec<Incomplete>,
}

fn fact<'a>(facts: &'a [(String, String)], key: &str) -> &'a str {
    facts.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).unwrap_or("")
}

/// One pass over the findings; `principal` filters by a case-insensitive part of the
/// principal's name or id. Rows sorted by principal, then cluster.
pub fn collect(result: &ScanResult, principal: Option<&str>) -> Inventory {
    let needle = principal.map(str::to_lowercase);
    let mut inv = Inventory::default();
    let inventory = |id: &str| id == INVENTORY_CHECK || IN_CLUSTER_CHECKS.contains(&id);
    for f in result.findings.iter().filter(|f| inventory(f.check.id)) {
        let in_cluster = f.check.id != INVENTORY_CHECK;
        if f.status == Status::Unknown {
            let reason = if in_cluster { format!("{}: {}", f.check.id, f.message) } else { f.message.clone() };
            inv.incomplete.push(Incomplete {
                cloud: f.resource.cloud.as_str(),
                cluster: f.resource.name.clone(),
                reason,
            });
        }
        // K8S subjects that are not admin paths (an IAM user mapped to a plain group) carry no `how`.
        for s in f.subjects.iter().filter(|s| !in_cluster || !fact(&s.facts, "how").is_empty()) {
            if let Some(n) = &needle
                && !s.label.to_lowercase().contains(n)
                && !s.id.to_lowercase().contains(n)
            {
                continue;
            }
            inv.admins.push(AdminRow {
                principal: s.label.clone(),
                principal_id: s.id.clone(),
                principal_type: fact(&s.facts, "principal_type").to_string(),
                cloud: f.resource.cloud.as_str(),
                account: f.resource.account.clone(),
                cluster: f.resource.name.clone(),
                how: fact(&s.facts, "how").to_string(),
                terms: fact(&s.facts, "terms").to_string(),
                status: s.status.as_str(),
                cluster_id: f.resource.id.clone(),
            });
        }
    }
    inv.admins.sort_by(|a, b| {
        (a.principal.to_lowercase(), &a.principal_id, &a.cluster, &a.how).cmp(&(
            b.principal.to_lowercase(),
            &b.principal_id,
            &b.cluster,
            &b.how,
        ))
    });
    inv.incomplete.sort();
    inv
}

pub fn render_table(inv: &Inventory, term: super::term::Term, out: &mut dyn Write) -> std::io::Result<()> {
    let principals: std::collections::BTreeSet<&str> = inv.admins.iter().map(|a| a.principal_id.as_str()).collect();
    let clusters: std::collections::BTreeSet<&str> = inv.admins.iter().map(|a| a.cluster_id.as_str()).collect();
    writeln!(
        out,
        "{} principal(s) can act as cluster admin on {} cluster(s) ({} path(s)).",
        principals.len(),
        clusters.len(),
        inv.admins.len()
    )?;
    if !inv.admins.is_empty() {
        let rows: Vec<[String; 6]> = inv
            .admins
            .iter()
            .map(|a| {
                // The id once: labels often carry it already (`Sofia Alvarez (User 383f…)`).
                let principal = if a.principal.contains(a.principal_id.as_str()) {
                    clean(&a.principal)
                } else {
                    format!("{} {}", clean(&a.principal), clean(&a.principal_id))
                };
                let terms =
                    if a.status == "pass" { clean(&a.terms) } else { format!("{} ({})", clean(&a.terms), a.status) };
                [
                    principal,
                    clean(&a.principal_type),
                    a.cloud.to_string(),
                    clean(&a.cluster),
                    super::table::shorten_ids(&clean(&a.how)),
                    terms,
                ]
            })
            .collect();
        // Cloud and cluster as wide as they are (type up to 12); the rest shared by principal, how and terms,
        // each cell wrapped at spaces to its share (an id is broken only when longer than it), and
        // the table laid out as wrapped: never wider than the terminal.
        let widest = |i: usize| rows.iter().map(|r| textwrap::core::display_width(&r[i])).max().unwrap_or(0);
        let borders = 6 * 3 + 1;
        let type_w = widest(1).clamp(4, 12);
        let cluster_w = widest(3).clamp(7, 30);
        let free = term.width.saturating_sub(borders + type_w + cluster_w + widest(2).max(5));
        let share: Vec<(usize, usize)> = [(0, 40), (4, 35), (5, 25)]
            .map(|(i, pct)| (i, (free * pct / 100).min(widest(i)).max(10)))
            .into_iter()
            .chain([(1, type_w.max(10)), (3, cluster_w.max(10))])
            .collect();
        let mut t = super::table::table(&["Principal", "Type", "Cloud", "Cluster", "How", "Terms"], term);
        t.set_content_arrangement(comfy_table::ContentArrangement::Disabled);
        for mut row in rows {
            for &(i, w) in &share {
                row[i] = super::table::wrap_hanging(&row[i], w, "", "").join("\n");
            }
            t.add_row(row.to_vec());
        }
        writeln!(out, "\n{t}")?;
    }
    for i in &inv.incomplete {
        let line = format!("incomplete: {} {}: {}", i.cloud, clean(&i.cluster), clean(&i.reason));
        for l in super::table::wrap_hanging(&line, term.width, "", "    ") {
            writeln!(out, "{l}")?;
        }
    }
    Ok(())
}

pub const CSV_HEADER: [&str; 10] = [
    "principal",
    "principal_id",
    "principal_type",
    "cloud",
    "account",
    "cluster",
    "how",
    "terms",
    "status",
    "cluster_id",
];

pub fn render_csv(inv: &Inventory, out: &mut dyn Write) -> std::io::Result<()> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out);
    w.write_record(CSV_HEADER)?;
    for a in &inv.admins {
        let row = [
            &a.principal,
            &a.principal_id,
            &a.principal_type,
            a.cloud,
            &a.account,
            &a.cluster,
            &a.how,
            &a.terms,
            a.status,
            &a.cluster_id,
        ];
        w.write_record(row.iter().map(|c| neutralize(c)))?;
    }
    // A cluster whose inventory is incomplete: a row saying so, with the reason as `how`.
    for i in &inv.incomplete {
        let row = ["", "", "", i.cloud, "", &i.cluster, &i.reason, "", "incomplete", ""];
        w.write_record(row.iter().map(|c| neutralize(c)))?;
    }
    w.flush()?;
    Ok(())
}
