//! Condition values as automata: each `StringLike` pattern (`*` any run, `?` one character) or
//! `StringEquals` literal is a small NFA whose state is the set of pattern positions reached.
//! Several patterns run side by side in a [`Product`], so the language a policy admits can be
//! explored state by state instead of guessed from sample strings.

/// One element of a pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    Lit(char),
    /// `*`: any run of characters, empty included.
    Star,
    /// `?`: exactly one character.
    One,
}

/// A condition value read as IAM reads it for one operator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Glob {
    toks: Vec<Tok>,
    /// `…IgnoreCase` operators: letters compare case-insensitively.
    ignore_case: bool,
}

impl Glob {
    /// `StringLike`: `*` and `?` are wildcards.
    pub fn like(pattern: &str) -> Glob {
        let toks = pattern
            .chars()
            .map(|c| match c {
                '*' => Tok::Star,
                '?' => Tok::One,
                c => Tok::Lit(c),
            })
            .collect();
        Glob { toks, ignore_case: false }
    }

    /// `StringEquals` (and `…IgnoreCase` with `ignore_case`): every character literal.
    pub fn literal(value: &str, ignore_case: bool) -> Glob {
        let toks = value.chars().map(|c| Tok::Lit(if ignore_case { lower(c) } else { c })).collect();
        Glob { toks, ignore_case }
    }

    /// The literal characters of the pattern (in both cases when it ignores case).
    pub fn chars(&self) -> Vec<char> {
        let mut out = Vec::new();
        for t in &self.toks {
            if let Tok::Lit(c) = t {
                out.push(*c);
                if self.ignore_case {
                    out.extend(c.to_uppercase());
                }
            }
        }
        out
    }

    /// Positions 0..=len: words of the bit set.
    fn words(&self) -> usize {
        (self.toks.len() + 1).div_ceil(64)
    }

    fn set(bits: &mut [u64], i: usize) {
        bits[i / 64] |= 1 << (i % 64);
    }

    fn get(bits: &[u64], i: usize) -> bool {
        bits[i / 64] & (1 << (i % 64)) != 0
    }

    /// Adds the positions a `*` can skip to (it matches the empty run).
    fn close(&self, bits: &mut [u64]) {
        for i in 0..self.toks.len() {
            if Self::get(bits, i) && self.toks[i] == Tok::Star {
                Self::set(bits, i + 1);
            }
        }
    }

    fn start(&self, bits: &mut [u64]) {
        Self::set(bits, 0);
        self.close(bits);
    }

    fn step(&self, from: &[u64], c: char, to: &mut [u64]) {
        let c = if self.ignore_case { lower(c) } else { c };
        for (i, t) in self.toks.iter().enumerate() {
            if !Self::get(from, i) {
                continue;
            }
            match t {
                Tok::Star => Self::set(to, i),
                Tok::One => Self::set(to, i + 1),
                Tok::Lit(l) if *l == c => Self::set(to, i + 1),
                Tok::Lit(_) => {}
            }
        }
        self.close(to);
    }

    fn accepts(&self, bits: &[u64]) -> bool {
        Self::get(bits, self.toks.len())
    }
}

fn lower(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// Several globs run side by side; a state is the concatenation of their position sets.
#[derive(Clone, Debug, Default)]
pub struct Product {
    globs: Vec<Glob>,
    offsets: Vec<usize>,
    words: usize,
}

/// Which globs of a [`Product`] accept, as a bit vector.
pub type Matches = Vec<u64>;

impl Product {
    pub fn new(globs: Vec<Glob>) -> Product {
        let mut offsets = Vec::with_capacity(globs.len());
        let mut words = 0;
        for g in &globs {
            offsets.push(words);
            words += g.words();
        }
        Product { globs, offsets, words }
    }

    pub fn len(&self) -> usize {
        self.globs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.globs.is_empty()
    }

    /// Every literal character of every glob, deduplicated.
    pub fn chars(&self) -> Vec<char> {
        let mut out: Vec<char> = self.globs.iter().flat_map(Glob::chars).collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    fn part<'a>(&self, state: &'a [u64], i: usize) -> &'a [u64] {
        &state[self.offsets[i]..self.offsets[i] + self.globs[i].words()]
    }

    /// The state before any character.
    pub fn start(&self) -> Vec<u64> {
        let mut s = vec![0; self.words];
        for (i, g) in self.globs.iter().enumerate() {
            let o = self.offsets[i];
            g.start(&mut s[o..o + g.words()]);
        }
        s
    }

    pub fn step(&self, state: &[u64], c: char) -> Vec<u64> {
        let mut next = vec![0; self.words];
        for (i, g) in self.globs.iter().enumerate() {
            let o = self.offsets[i];
            g.step(self.part(state, i), c, &mut next[o..o + g.words()]);
        }
        next
    }

    pub fn run(&self, state: &[u64], text: &str) -> Vec<u64> {
        text.chars().fold(state.to_vec(), |s, c| self.step(&s, c))
    }

    /// Which globs accept in `state`.
    pub fn matches(&self, state: &[u64]) -> Matches {
        let mut m = vec![0; self.globs.len().div_ceil(64).max(1)];
        for (i, g) in self.globs.iter().enumerate() {
            if g.accepts(self.part(state, i)) {
                m[i / 64] |= 1 << (i % 64);
            }
        }
        m
    }
}

/// Whether glob `i` is set in `m`.
pub fn matched(m: &[u64], i: usize) -> bool {
    m.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepts(g: Glob, text: &str) -> bool {
        let p = Product::new(vec![g]);
        matched(&p.matches(&p.run(&p.start(), text)), 0)
    }

    #[test]
    fn like_and_literal() {
        assert!(accepts(Glob::like("system:serviceaccount:*"), "system:serviceaccount:a:b"));
        assert!(accepts(Glob::like("a*b?c"), "a--bxc"));
        assert!(!accepts(Glob::like("a*b?c"), "abc"));
        assert!(accepts(Glob::like("**"), ""));
        assert!(accepts(Glob::literal("a*", false), "a*"));
        assert!(!accepts(Glob::literal("a*", false), "ab"));
        assert!(accepts(Glob::literal("ABC", true), "abc"));
        assert!(accepts(Glob::literal("abc", true), "AbC"));
        assert!(!accepts(Glob::literal("abc", false), "ABC"));
    }

    #[test]
    fn long_patterns_span_words() {
        let long = "x".repeat(150);
        assert!(accepts(Glob::literal(&long, false), &long));
        assert!(accepts(Glob::like(&format!("{long}*")), &format!("{long}yz")));
        assert!(!accepts(Glob::like(&long), &"x".repeat(149)));
    }

    #[test]
    fn product_reports_each_glob() {
        let p = Product::new(vec![Glob::like("a*"), Glob::literal("ab", false), Glob::like("*c")]);
        let m = p.matches(&p.run(&p.start(), "ab"));
        assert_eq!((matched(&m, 0), matched(&m, 1), matched(&m, 2)), (true, true, false));
        assert_eq!(p.chars(), ['a', 'b', 'c']);
    }
}
