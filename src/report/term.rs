//! The terminal: how wide it is and whether to colour. Width from stdout's terminal, else
//! stderr's, else `$COLUMNS`, else 100; colour only on a terminal, never with `NO_COLOR`, unless
//! `--color always|never` says otherwise.

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Term {
    pub width: usize,
    pub color: bool,
}

/// Narrower than this, nothing lays out sensibly; wider lines stay readable.
const MIN_WIDTH: usize = 40;
const DEFAULT_WIDTH: usize = 100;

impl Term {
    /// A fixed layout: tests and files.
    pub fn plain(width: usize) -> Self {
        Term { width: width.max(MIN_WIDTH), color: false }
    }

    pub fn detect(choice: ColorChoice) -> Self {
        use std::io::IsTerminal;
        let stdout_tty = std::io::stdout().is_terminal();
        // A terminal that reports 0 columns (some pseudo-terminals) says nothing: fall through.
        let tty_width = |size: Option<(terminal_size::Width, terminal_size::Height)>| {
            size.map(|(w, _)| usize::from(w.0)).filter(|w| *w > 0)
        };
        let width = tty_width(terminal_size::terminal_size_of(std::io::stdout()))
            .or_else(|| tty_width(terminal_size::terminal_size_of(std::io::stderr())))
            .or_else(|| std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse().ok()).filter(|w| *w > 0))
            .unwrap_or(DEFAULT_WIDTH);
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => stdout_tty && !no_color,
        };
        Term { width: width.max(MIN_WIDTH), color }
    }

    /// `text` in an SGR colour when colouring (the text's width is unchanged).
    pub fn paint(&self, code: &str, text: &str) -> String {
        if self.color && !text.is_empty() { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
    }
}
