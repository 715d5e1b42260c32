//! Compliance frameworks: each framework's full control list (data files beside this module, with
//! their sources) and how a check's metadata `compliance` ids name its controls. The mapping
//! itself lives in each check's metadata record; this module only knows the control lists.

use crate::meta::CheckMeta;
use crate::model::Cloud;

/// One control (a CIS recommendation, a seed document or one of its named recommendations).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Control {
    pub id: &'static str,
    pub title: &'static str,
    /// The benchmark's own Automated/Manual label (informational; `-` where it has none).
    pub cis_assessment: &'static str,
}

/// A framework `--compliance` can group results by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Framework {
    CisAks18,
    CisEks18,
    Seeds,
}

impl Framework {
    pub const ALL: [Framework; 3] = [Framework::CisAks18, Framework::CisEks18, Framework::Seeds];

    /// The name on the command line and in reports.
    pub fn key(self) -> &'static str {
        match self {
            Framework::CisAks18 => "cis-aks-1.8",
            Framework::CisEks18 => "cis-eks-1.8",
            Framework::Seeds => "seeds",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Framework::CisAks18 => "CIS Azure Kubernetes Service (AKS) Benchmark v1.8.0",
            Framework::CisEks18 => "CIS Amazon Elastic Kubernetes Service (EKS) Benchmark v1.8.0",
            Framework::Seeds => "The seed documents (../shared/seeds)",
        }
    }

    pub fn parse(s: &str) -> Option<Framework> {
        Self::ALL.into_iter().find(|f| f.key().eq_ignore_ascii_case(s))
    }

    /// Which clusters the framework speaks about: a CIS AKS control is judged on AKS only, even
    /// when the check that maps to it also runs on EKS.
    pub fn covers(self, cloud: Cloud) -> bool {
        match self {
            Framework::CisAks18 => cloud == Cloud::Aks,
            Framework::CisEks18 => cloud == Cloud::Eks,
            Framework::Seeds => true,
        }
    }

    /// Every control, in the framework's order.
    pub fn controls(self) -> &'static [Control] {
        use std::sync::OnceLock;
        static LISTS: [OnceLock<Vec<Control>>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
        let (slot, data) = match self {
            Framework::CisAks18 => (&LISTS[0], include_str!("cis-aks-1.8.tsv")),
            Framework::CisEks18 => (&LISTS[1], include_str!("cis-eks-1.8.tsv")),
            Framework::Seeds => (&LISTS[2], include_str!("seeds.tsv")),
        };
        slot.get_or_init(|| parse_tsv(data))
    }

    /// The controls of this framework a check's metadata names (in the check's order).
    pub fn controls_of(self, check: &CheckMeta) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for id in check.compliance {
            if let Some(c) = self.control_for(id)
                && !out.contains(&c)
            {
                out.push(c);
            }
        }
        out
    }

    /// The control a metadata compliance id names, if it is one of this framework's.
    fn control_for(self, compliance_id: &str) -> Option<&'static str> {
        let controls = self.controls();
        let find = |id: &str| controls.iter().find(|c| c.id == id).map(|c| c.id);
        match self {
            Framework::CisAks18 | Framework::CisEks18 => {
                let prefix = if self == Framework::CisAks18 { "CIS AKS " } else { "CIS EKS " };
                let rest = compliance_id.strip_prefix(prefix)?;
                find(rest.split_whitespace().next()?)
            }
            Framework::Seeds => {
                let rest = compliance_id.strip_prefix("seeds/")?;
                let doc = rest.get(..3).filter(|d| d.bytes().all(|b| b.is_ascii_digit()))?;
                // `seeds/004 "CPU and memory limits"`: the named recommendation when listed,
                // else (and for `seeds/000 (a note)`) the document.
                let named = rest[3..].trim_start();
                if let Some(q) = named.strip_prefix('"')
                    && let Some(end) = q.find('"')
                    && let Some(c) = find(&format!("{doc} \"{}\"", &q[..end]))
                {
                    return Some(c);
                }
                find(doc)
            }
        }
    }
}

/// `id<TAB>title<TAB>cis_assessment` lines after a header line; `#` lines are comments.
fn parse_tsv(data: &'static str) -> Vec<Control> {
    data.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .filter_map(|l| {
            let mut cols = l.split('\t');
            Some(Control { id: cols.next()?, title: cols.next()?, cis_assessment: cols.next().unwrap_or("-") })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn control_lists_are_complete_and_unique() {
        for f in Framework::ALL {
            let ids: BTreeSet<&str> = f.controls().iter().map(|c| c.id).collect();
            assert_eq!(ids.len(), f.controls().len(), "{}: duplicate ids", f.key());
            assert!(f.controls().iter().all(|c| !c.title.trim().is_empty()), "{}", f.key());
        }
        assert_eq!(Framework::CisAks18.controls().len(), 51);
        assert_eq!(Framework::CisEks18.controls().len(), 50);
        assert!(Framework::Seeds.controls().iter().any(|c| c.id == "004 \"CPU and memory limits\""));
    }

    /// Every CIS or seeds id a check names is a control of its framework: a typo in metadata
    /// would otherwise silently drop the check from the compliance view.
    #[test]
    fn every_metadata_id_names_a_listed_control() {
        for c in crate::all() {
            for id in c.meta.compliance {
                let framework = if id.starts_with("CIS AKS ") {
                    Framework::CisAks18
                } else if id.starts_with("CIS EKS ") {
                    Framework::CisEks18
                } else if id.starts_with("seeds/") {
                    Framework::Seeds
                } else {
                    continue;
                };
                assert!(
                    framework.control_for(id).is_some(),
                    "{}: {id} is not a {} control",
                    c.meta.id,
                    framework.key()
                );
            }
        }
    }

    #[test]
    fn ids_map_to_controls() {
        let f = Framework::Seeds;
        assert_eq!(f.control_for("seeds/004 \"CPU and memory limits\""), Some("004 \"CPU and memory limits\""));
        assert_eq!(f.control_for("seeds/000 (its reference repo's ABAC hands-on)"), Some("000"));
        assert_eq!(f.control_for("seeds/001 \"Cluster\""), Some("001"));
        assert_eq!(f.control_for("seeds/9"), None);
        assert_eq!(Framework::CisAks18.control_for("CIS AKS 5.4.1"), Some("5.4.1"));
        assert_eq!(Framework::CisAks18.control_for("CIS EKS 5.4.1"), None);
        assert_eq!(Framework::CisEks18.control_for("CIS EKS 9.9.9"), None);
        assert_eq!(Framework::parse("CIS-AKS-1.8"), Some(Framework::CisAks18));
    }
}
