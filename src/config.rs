//! The thresholds file (`--config`, YAML). Unknown keys are an error, so typos do not
//! silently fall back to defaults.

use anyhow::Context as _;
use kubeposture_checks::Thresholds;
use std::path::Path;

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    thresholds: Thresholds,
}

pub fn load(path: Option<&Path>) -> anyhow::Result<Thresholds> {
    let Some(path) = path else { return Ok(Thresholds::default()) };
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read config {}", path.display()))?;
    let cfg: ConfigFile =
        serde_yaml_ng::from_str(&text).with_context(|| format!("invalid config {}", path.display()))?;
    Ok(cfg.thresholds)
}
