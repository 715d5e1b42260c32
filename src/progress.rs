//! A progress line on stderr, only when stderr is a terminal.

use indicatif::{ProgressBar, ProgressStyle};
use kubeposture_providers::ScopeFailure;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Progress {
    bar: Option<ProgressBar>,
    clusters: AtomicUsize,
    failed: AtomicUsize,
}

impl Progress {
    pub fn new(enabled: bool) -> Self {
        let bar = (enabled && std::io::stderr().is_terminal()).then(|| {
            let b = ProgressBar::new_spinner();
            b.set_style(
                ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            b.enable_steady_tick(std::time::Duration::from_millis(120));
            b.set_message("connecting…");
            b
        });
        Self { bar, clusters: AtomicUsize::new(0), failed: AtomicUsize::new(0) }
    }

    fn refresh(&self, last: &str) {
        if let Some(b) = &self.bar {
            let n = self.clusters.load(Ordering::Relaxed);
            let f = self.failed.load(Ordering::Relaxed);
            let failed = if f > 0 { format!(", {f} scope(s) not collected") } else { String::new() };
            b.set_message(format!("{n} cluster(s) scored{failed} — {}", crate::report::text::clean(last)));
        }
    }

    pub fn cluster_done(&self, name: &str) {
        self.clusters.fetch_add(1, Ordering::Relaxed);
        self.refresh(name);
    }

    pub fn scope_failed(&self, f: &ScopeFailure) {
        self.failed.fetch_add(1, Ordering::Relaxed);
        self.refresh(&f.scope);
    }

    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
