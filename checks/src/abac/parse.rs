//! A small parser for Azure ABAC conditions (condition language 2.0) as role assignments carry
//! them: `@Request[…]`/`@Resource[…]`/`@Principal[…]`/`@Environment[…]` attributes, operators
//! with an optional cross-product quantifier (`ForAnyOfAnyValues:GuidEquals`), `{…}` value sets,
//! `ActionMatches{…}`, `SubOperationMatches{…}`, `Exists`/`NotExists`, `!`/`NOT`, `&&`/`AND`,
//! `||`/`OR` (keywords in any case) and parentheses.
//!
//! Bounded: at most [`MAX_LEN`] bytes and [`MAX_DEPTH`] nested levels; one pass over the tokens,
//! no backtracking, so the work is linear in the input. Anything else is an error, never a panic.

use std::fmt;

/// Longest condition read (Azure's own limit is far below).
pub const MAX_LEN: usize = 64 * 1024;
/// Deepest nesting of parentheses and negations.
pub const MAX_DEPTH: usize = 64;

/// `@Source[name]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribute {
    /// `Request`, `Resource`, `Principal`, `Environment`.
    pub source: String,
    /// `Microsoft.Authorization/roleAssignments:RoleDefinitionId`.
    pub name: String,
}

/// A cross-product quantifier: `ForAnyOfAnyValues` … `ForAllOfAllValues`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantifier {
    AnyOfAny,
    AnyOfAll,
    AllOfAny,
    AllOfAll,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Not(Box<Expr>),
    /// Two or more operands (a chain of `&&` is one node, so depth stays bounded).
    And(Vec<Expr>),
    Or(Vec<Expr>),
    ActionMatches(Vec<String>),
    SubOperationMatches(Vec<String>),
    /// `Exists @…` (`negated`: `NotExists`).
    Exists {
        attribute: Attribute,
        negated: bool,
    },
    /// `attribute [quantifier:]operator values` (operands swapped back when written the other
    /// way round). Values are the literals as written, unquoted.
    Compare {
        attribute: Attribute,
        quantifier: Option<Quantifier>,
        operator: String,
        values: Vec<String>,
    },
    /// A comparison with no attribute on either side: nothing to judge it by.
    Opaque,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError(pub String);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    LParen,
    RParen,
    LBrace,
    RBrace,
    Comma,
    Not,
    And,
    Or,
    Attr(Attribute),
    /// A quoted string.
    Str(String),
    /// A bare word: operator, keyword, GUID, number.
    Word(String),
}

fn tokens(s: &str) -> Result<Vec<Tok>, ParseError> {
    let err = |m: String| Err(ParseError(m));
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let word_char = |c: u8| !c.is_ascii_whitespace() && !b"(){}[],'\"!&|@".contains(&c);
    while i < b.len() {
        let c = b[i];
        let single = match c {
            b'(' => Some(Tok::LParen),
            b')' => Some(Tok::RParen),
            b'{' => Some(Tok::LBrace),
            b'}' => Some(Tok::RBrace),
            b',' => Some(Tok::Comma),
            b'!' => Some(Tok::Not),
            _ => None,
        };
        if let Some(t) = single {
            out.push(t);
            i += 1;
            continue;
        }
        match c {
            _ if c.is_ascii_whitespace() => i += 1,
            b'&' | b'|' => {
                if b.get(i + 1) != Some(&c) {
                    return err(format!("a lone '{}' at byte {i} (use && or ||)", c as char));
                }
                out.push(if c == b'&' { Tok::And } else { Tok::Or });
                i += 2;
            }
            b'\'' | b'"' => {
                let Some(len) = s[i + 1..].find(c as char) else {
                    return err(format!("an unterminated string at byte {i}"));
                };
                out.push(Tok::Str(s[i + 1..i + 1 + len].to_string()));
                i += len + 2;
            }
            b'@' => {
                let Some(open) = s[i..].find('[') else {
                    return err(format!("an attribute without [ at byte {i}"));
                };
                let Some(close) = s[i + open..].find(']') else {
                    return err(format!("an attribute without ] at byte {i}"));
                };
                let source = s[i + 1..i + open].trim().to_string();
                let name = s[i + open + 1..i + open + close].trim().to_string();
                if source.is_empty() || !source.bytes().all(|c| c.is_ascii_alphabetic()) || name.is_empty() {
                    return err(format!("a malformed attribute at byte {i}"));
                }
                out.push(Tok::Attr(Attribute { source, name }));
                i += open + close + 1;
            }
            b'[' | b']' => return err(format!("a stray '{}' at byte {i}", c as char)),
            _ => {
                let start = i;
                while i < b.len() && word_char(b[i]) {
                    i += 1;
                }
                let w = &s[start..i];
                out.push(match w.to_ascii_uppercase().as_str() {
                    "AND" => Tok::And,
                    "OR" => Tok::Or,
                    "NOT" => Tok::Not,
                    _ => Tok::Word(w.to_string()),
                });
            }
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.at).cloned();
        self.at += 1;
        t
    }
    fn expect(&mut self, want: &Tok, what: &str) -> Result<(), ParseError> {
        match self.next() {
            Some(t) if t == *want => Ok(()),
            Some(t) => Err(ParseError(format!("expected {what}, found {t:?}"))),
            None => Err(ParseError(format!("expected {what}, found the end"))),
        }
    }

    fn or(&mut self, depth: usize) -> Result<Expr, ParseError> {
        let mut all = vec![self.and(depth)?];
        while self.peek() == Some(&Tok::Or) {
            self.at += 1;
            all.push(self.and(depth)?);
        }
        Ok(if all.len() == 1 { all.remove(0) } else { Expr::Or(all) })
    }

    fn and(&mut self, depth: usize) -> Result<Expr, ParseError> {
        let mut all = vec![self.unary(depth)?];
        while self.peek() == Some(&Tok::And) {
            self.at += 1;
            all.push(self.unary(depth)?);
        }
        Ok(if all.len() == 1 { all.remove(0) } else { Expr::And(all) })
    }

    fn unary(&mut self, depth: usize) -> Result<Expr, ParseError> {
        if depth >= MAX_DEPTH {
            return Err(ParseError(format!("nested deeper than {MAX_DEPTH} levels")));
        }
        match self.peek() {
            Some(Tok::Not) => {
                self.at += 1;
                Ok(Expr::Not(Box::new(self.unary(depth + 1)?)))
            }
            Some(Tok::LParen) => {
                self.at += 1;
                let e = self.or(depth + 1)?;
                self.expect(&Tok::RParen, "')'")?;
                Ok(e)
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        if let Some(Tok::Word(w)) = self.peek() {
            let w = w.to_ascii_lowercase();
            match w.as_str() {
                "actionmatches" | "suboperationmatches" => {
                    self.at += 1;
                    let values = self.values()?;
                    return Ok(if w == "actionmatches" {
                        Expr::ActionMatches(values)
                    } else {
                        Expr::SubOperationMatches(values)
                    });
                }
                "exists" | "notexists" => {
                    self.at += 1;
                    let Some(Tok::Attr(attribute)) = self.next() else {
                        return Err(ParseError(format!("{w} needs an attribute")));
                    };
                    return Ok(Expr::Exists { attribute, negated: w == "notexists" });
                }
                _ => {}
            }
        }
        let left = self.operand()?;
        let operator = match self.next() {
            Some(Tok::Word(w)) => w,
            other => return Err(ParseError(format!("expected an operator, found {other:?}"))),
        };
        let right = self.operand()?;
        let (quantifier, operator) = match operator.split_once(':') {
            Some((q, op)) => {
                let q = match q.to_ascii_lowercase().as_str() {
                    "foranyofanyvalues" => Quantifier::AnyOfAny,
                    "foranyofallvalues" => Quantifier::AnyOfAll,
                    "forallofanyvalues" => Quantifier::AllOfAny,
                    "forallofallvalues" => Quantifier::AllOfAll,
                    _ => return Err(ParseError(format!("unknown quantifier {q}"))),
                };
                (Some(q), op.to_string())
            }
            None => (None, operator),
        };
        if operator.is_empty() || !operator.bytes().all(|c| c.is_ascii_alphanumeric()) {
            return Err(ParseError(format!("malformed operator {operator}")));
        }
        Ok(match (left, right) {
            (Operand::Attr(attribute), Operand::Values(values))
            | (Operand::Values(values), Operand::Attr(attribute)) => {
                Expr::Compare { attribute, quantifier, operator, values }
            }
            // Attribute against attribute, or literal against literal: nothing to judge by.
            _ => Expr::Opaque,
        })
    }

    /// `{v, v}`, `{}` or one literal.
    fn values(&mut self) -> Result<Vec<String>, ParseError> {
        match self.next() {
            Some(Tok::LBrace) => {
                let mut out = vec![];
                if self.peek() == Some(&Tok::RBrace) {
                    self.at += 1;
                    return Ok(out);
                }
                loop {
                    match self.next() {
                        Some(Tok::Str(s) | Tok::Word(s)) => out.push(s),
                        other => return Err(ParseError(format!("expected a value in {{…}}, found {other:?}"))),
                    }
                    match self.next() {
                        Some(Tok::Comma) => continue,
                        Some(Tok::RBrace) => return Ok(out),
                        other => return Err(ParseError(format!("expected ',' or '}}', found {other:?}"))),
                    }
                }
            }
            Some(Tok::Str(s) | Tok::Word(s)) => Ok(vec![s]),
            other => Err(ParseError(format!("expected a value, found {other:?}"))),
        }
    }

    fn operand(&mut self) -> Result<Operand, ParseError> {
        if let Some(Tok::Attr(a)) = self.peek() {
            let a = a.clone();
            self.at += 1;
            return Ok(Operand::Attr(a));
        }
        self.values().map(Operand::Values)
    }
}

enum Operand {
    Attr(Attribute),
    Values(Vec<String>),
}

/// Parse a condition; an error says what is wrong and where.
pub fn parse(condition: &str) -> Result<Expr, ParseError> {
    if condition.len() > MAX_LEN {
        return Err(ParseError(format!("the condition is longer than {MAX_LEN} bytes")));
    }
    let toks = tokens(condition)?;
    if toks.is_empty() {
        return Err(ParseError("the condition is empty".into()));
    }
    let mut p = Parser { toks, at: 0 };
    let e = p.or(0)?;
    match p.peek() {
        None => Ok(e),
        Some(t) => Err(ParseError(format!("unexpected {t:?} after a complete expression"))),
    }
}
