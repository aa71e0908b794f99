//! The JSON the snapshot (SPEC T1) and plan (SPEC M6) formats are written
//! in: a small value tree with a strict parser for reading, and a writer
//! that prints straight into a string (or, for serde, builds the tree).
//!
//! Hand-written rather than derived so that the formats are defined once,
//! field by field, next to the validation that loads them, with path errors
//! (serde stays an optional feature). What it accepts is RFC 8259 JSON with
//! these choices:
//!
//! - Objects may not repeat a key, and nesting is limited to
//!   [`MAX_DEPTH`] levels (so hostile input cannot exhaust the stack).
//! - Numbers keep their literal text; the formats only read unsigned
//!   integers from them ([`Field::u64`]), so no float is ever parsed.
//! - Errors are plain messages: syntax errors give the line and column,
//!   shape errors the path of the value (`routers[2].public: ...`).
//!
//! The [`Writer`] writes the layout the formats have always used (two-space
//! indentation, `"key": value`, `[]` and `{}` when empty, only `"`, `\` and
//! control characters escaped), so `to_json` output is byte-stable. With the
//! `serde` feature the same writer code builds a [`Value`] tree instead,
//! which serde serializes: one definition of each format for both.

use std::cell::Cell;
use std::fmt::{self, Write as _};

use crate::support::ordered_map::{Keyed, sort_find_repeat};

/// Deepest nesting of arrays and objects the parser accepts.
pub(crate) const MAX_DEPTH: usize = 128;

/// A parsed or to-be-written JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    /// A number, as its literal text (valid JSON number syntax).
    Number(Literal),
    String(String),
    Array(Vec<Value>),
    /// Members in document order; keys are unique.
    Object(Vec<(String, Value)>),
}

/// The text of a number literal, held inline up to [`Literal::INLINE`]
/// bytes (every number the formats hold, `u64::MAX` included), so that
/// reading one allocates nothing; longer literals are boxed.
///
/// This bounds the memory a document costs while it is read (SPEC E3):
/// before, each number had its own heap block, and a 64 MiB `[0,0,...]`
/// peaked at 2.1 GB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Literal {
    /// `len` bytes of ASCII.
    Inline {
        len: u8,
        bytes: [u8; Literal::INLINE],
    },
    Boxed(Box<str>),
}

impl Literal {
    /// Longest literal held inline: as many bytes as a `String` takes.
    const INLINE: usize = 22;

    pub(crate) fn new(text: &str) -> Literal {
        let mut bytes = [0u8; Literal::INLINE];
        match (bytes.get_mut(..text.len()), u8::try_from(text.len())) {
            (Some(head), Ok(len)) => {
                head.copy_from_slice(text.as_bytes());
                Literal::Inline { len, bytes }
            }
            _ => Literal::Boxed(text.into()),
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            // Built from a `&str` cut at its end: always valid.
            Literal::Inline { len, bytes } => bytes
                .get(..usize::from(*len))
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or_default(),
            Literal::Boxed(text) => text,
        }
    }
}

impl Value {
    /// What kind of value this is, for error messages.
    fn describe(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }

    /// The value as pretty-printed JSON text.
    #[cfg(any(test, feature = "fuzzing"))]
    fn to_pretty(&self) -> String {
        fn write(w: &mut Writer, v: &Value) {
            match v {
                Value::Null => w.null(),
                Value::Bool(b) => w.bool(*b),
                Value::Number(n) => w.number(n),
                Value::String(s) => w.text(s),
                Value::Array(items) => w.array(items, write),
                Value::Object(members) => w.object(|w| {
                    for (key, value) in members {
                        write(w.key(key), value);
                    }
                }),
            }
        }
        let mut w = Writer::default();
        write(&mut w, self);
        w.finish()
    }
}

/// Writes a document field by field, in one of two forms: pretty-printed
/// JSON text ([`Writer::default`]), in the layout the formats have always
/// used (two-space indentation, `"key": value`, `[]` and `{}` when empty),
/// or a [`Value`] tree ([`Writer::tree`], for serde, feature `serde`). Each
/// format is written once, by its writer, and both forms come from it:
/// `to_json` prints straight into a string without building a tree, and
/// serde serializes the tree without printing and re-reading text.
pub(crate) struct Writer {
    out: Out,
}

/// Where a [`Writer`] writes.
enum Out {
    Text(TextOut),
    #[cfg(feature = "serde")]
    Tree(TreeOut),
}

impl Default for Writer {
    /// A writer of JSON text.
    fn default() -> Writer {
        Writer {
            out: Out::Text(TextOut::default()),
        }
    }
}

/// The text a [`Writer`] prints.
#[derive(Default)]
struct TextOut {
    out: String,
    /// Arrays and objects open around the current position.
    depth: usize,
    /// Whether the innermost open array or object has no item yet.
    empty: bool,
}

/// The value tree a [`Writer`] builds: the arrays and objects open around
/// the current position, innermost last.
#[cfg(feature = "serde")]
#[derive(Default)]
struct TreeOut {
    open: Vec<Open>,
    /// The finished document.
    root: Option<Value>,
}

/// An array or object being built.
#[cfg(feature = "serde")]
enum Open {
    Array(Vec<Value>),
    /// The members so far and the key of the one being written.
    Object(Vec<(String, Value)>, String),
}

#[cfg(feature = "serde")]
impl TreeOut {
    /// Adds a finished value where the writer stands.
    fn put(&mut self, value: Value) {
        match self.open.last_mut() {
            None => self.root = Some(value),
            Some(Open::Array(items)) => items.push(value),
            Some(Open::Object(members, key)) => members.push((std::mem::take(key), value)),
        }
    }

    fn close(&mut self) {
        match self.open.pop() {
            Some(Open::Array(items)) => self.put(Value::Array(items)),
            Some(Open::Object(members, _)) => self.put(Value::Object(members)),
            None => {}
        }
    }
}

impl TextOut {
    /// Starts an item of the innermost array or object on a new line.
    fn item(&mut self) {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        self.newline();
    }

    fn newline(&mut self) {
        self.out.push('\n');
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    fn open(&mut self, bracket: char) {
        self.out.push(bracket);
        self.depth += 1;
        self.empty = true;
    }

    fn close(&mut self, bracket: char) {
        self.depth = self.depth.saturating_sub(1);
        if !self.empty {
            self.newline();
        }
        self.empty = false;
        self.out.push(bracket);
    }
}

impl Writer {
    /// A writer of a [`Value`] tree (see [`Writer::into_value`]).
    #[cfg(feature = "serde")]
    pub(crate) fn tree() -> Writer {
        Writer {
            out: Out::Tree(TreeOut::default()),
        }
    }

    /// The text written (empty for a [`Writer::tree`]).
    pub(crate) fn finish(self) -> String {
        match self.out {
            Out::Text(t) => t.out,
            #[cfg(feature = "serde")]
            Out::Tree(_) => String::new(),
        }
    }

    /// The tree written (`null` for a text writer or an unfinished tree).
    #[cfg(feature = "serde")]
    pub(crate) fn into_value(self) -> Value {
        match self.out {
            Out::Tree(TreeOut {
                root: Some(value), ..
            }) => value,
            _ => Value::Null,
        }
    }

    /// A scalar: `text` printed as is, or `value()` added to the tree.
    fn scalar(
        &mut self,
        text: &str,
        #[cfg_attr(not(feature = "serde"), allow(unused_variables))] value: impl FnOnce() -> Value,
    ) {
        match &mut self.out {
            Out::Text(t) => t.out.push_str(text),
            #[cfg(feature = "serde")]
            Out::Tree(t) => t.put(value()),
        }
    }

    /// Starts the next member of the object being written (see
    /// [`Writer::object`]); its value comes next.
    pub(crate) fn key(&mut self, key: &str) -> &mut Writer {
        match &mut self.out {
            Out::Text(t) => {
                t.item();
                write_string(&mut t.out, key);
                t.out.push_str(": ");
            }
            #[cfg(feature = "serde")]
            Out::Tree(t) => {
                if let Some(Open::Object(_, k)) = t.open.last_mut() {
                    key.clone_into(k);
                }
            }
        }
        self
    }

    /// An object whose members `f` writes (each with [`Writer::key`]).
    pub(crate) fn object(&mut self, f: impl FnOnce(&mut Writer)) {
        match &mut self.out {
            Out::Text(t) => t.open('{'),
            #[cfg(feature = "serde")]
            Out::Tree(t) => t.open.push(Open::Object(Vec::new(), String::new())),
        }
        f(self);
        match &mut self.out {
            Out::Text(t) => t.close('}'),
            #[cfg(feature = "serde")]
            Out::Tree(t) => t.close(),
        }
    }

    /// An array whose elements `f` writes (each after [`Writer::element`]).
    pub(crate) fn elements(&mut self, f: impl FnOnce(&mut Writer)) {
        match &mut self.out {
            Out::Text(t) => t.open('['),
            #[cfg(feature = "serde")]
            Out::Tree(t) => t.open.push(Open::Array(Vec::new())),
        }
        f(self);
        match &mut self.out {
            Out::Text(t) => t.close(']'),
            #[cfg(feature = "serde")]
            Out::Tree(t) => t.close(),
        }
    }

    /// Starts the next element of the array being written (see
    /// [`Writer::elements`]).
    pub(crate) fn element(&mut self) -> &mut Writer {
        match &mut self.out {
            Out::Text(t) => t.item(),
            #[cfg(feature = "serde")]
            Out::Tree(_) => {}
        }
        self
    }

    /// An array of `f(item)` for each item.
    pub(crate) fn array<T>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        mut f: impl FnMut(&mut Writer, T),
    ) {
        self.elements(|w| {
            for item in items {
                f(w.element(), item);
            }
        });
    }

    /// `null`.
    pub(crate) fn null(&mut self) {
        self.scalar("null", || Value::Null);
    }

    /// `true` or `false`.
    pub(crate) fn bool(&mut self, b: bool) {
        self.scalar(if b { "true" } else { "false" }, || Value::Bool(b));
    }

    /// An unsigned integer.
    pub(crate) fn uint(&mut self, n: impl Into<u64>) {
        let n: u64 = n.into();
        match &mut self.out {
            Out::Text(t) => {
                // Writing to a String cannot fail.
                let _ = write!(t.out, "{n}");
            }
            #[cfg(feature = "serde")]
            Out::Tree(t) => t.put(Value::Number(Literal::new(&n.to_string()))),
        }
    }

    /// A string from anything displayable (names, fractions, ...).
    pub(crate) fn text(&mut self, s: impl fmt::Display) {
        self.text_dyn(&s);
    }

    /// The body of [`Writer::text`], once for every displayable type.
    fn text_dyn(&mut self, s: &dyn fmt::Display) {
        match &mut self.out {
            Out::Text(t) => write_string(&mut t.out, &s.to_string()),
            #[cfg(feature = "serde")]
            Out::Tree(t) => t.put(Value::String(s.to_string())),
        }
    }

    /// A number whose literal text is `n` (valid JSON number syntax).
    #[cfg(any(test, feature = "fuzzing"))]
    fn number(&mut self, n: &Literal) {
        self.scalar(n.as_str(), || Value::Number(n.clone()));
    }

    /// `null` for `None`, else `f(value)`.
    pub(crate) fn option<T>(&mut self, v: Option<T>, f: impl FnOnce(&mut Writer, T)) {
        match v {
            None => self.null(),
            Some(v) => f(self, v),
        }
    }
}

/// Writes `s` as a JSON string: `"` and `\` escaped, control characters as
/// `\n`-style or `\u00XX` escapes, everything else verbatim.
fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => {
                // Writing to a String cannot fail.
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Parses one JSON document (a value with optional surrounding whitespace).
///
/// # Errors
/// A message naming the problem and its line and column.
pub(crate) fn parse(text: &str) -> Result<Value, String> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    };
    let value = parser.value(0)?;
    parser.skip_whitespace();
    if parser.pos < parser.bytes.len() {
        return Err(parser.error("trailing characters after the JSON value"));
    }
    Ok(value)
}

/// The position of the first member, in document order, whose key an
/// earlier member already has.
///
/// O(n log n) for n members whatever the keys (SPEC E3): one sort of the
/// keys, shared with the duplicate-name checks, instead of comparing each
/// key with every earlier one.
fn first_repeated_key(members: &[(String, Value)]) -> Option<usize> {
    let mut keys: Vec<Keyed<'_>> = members
        .iter()
        .enumerate()
        .map(|(i, (key, _))| ("", key.as_str(), i))
        .collect();
    sort_find_repeat(&mut keys)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    /// `message` with the 1-based line and column (in characters) of the
    /// current position.
    fn error(&self, message: &str) -> String {
        let before = self.text.get(..self.pos).unwrap_or(self.text);
        // Byte searches: a newline is one byte in UTF-8.
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let line_start = before
            .bytes()
            .rposition(|b| b == b'\n')
            .map_or(0, |i| i + 1);
        let column = before.get(line_start..).unwrap_or_default().chars().count() + 1;
        format!("{message} at line {line} column {column}")
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// Consumes `byte` after optional whitespace, or fails with `message`.
    fn expect(&mut self, byte: u8, message: &str) -> Result<(), String> {
        self.skip_whitespace();
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(message))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, String> {
        self.skip_whitespace();
        match self.peek() {
            None => Err(self.error("expected a JSON value, found the end of the input")),
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().map(Value::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => {
                for (word, value) in [
                    ("true", Value::Bool(true)),
                    ("false", Value::Bool(false)),
                    ("null", Value::Null),
                ] {
                    if self.bytes[self.pos..].starts_with(word.as_bytes()) {
                        self.pos += word.len();
                        return Ok(value);
                    }
                }
                Err(self.error("expected a JSON value"))
            }
        }
    }

    fn check_depth(&self, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            Err(self.error(&format!(
                "arrays and objects nest deeper than {MAX_DEPTH} levels"
            )))
        } else {
            Ok(())
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, String> {
        self.check_depth(depth)?;
        self.pos += 1; // '{'
        let mut members: Vec<(String, Value)> = Vec::new();
        // Where each key starts, to report a repeated one.
        let mut key_starts: Vec<usize> = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a string key"));
            }
            key_starts.push(self.pos);
            let key = self.string()?;
            self.expect(b':', "expected `:` after an object key")?;
            let value = self.value(depth)?;
            members.push((key, value));
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(self.error("expected `,` or `}` in an object")),
            }
        }
        if let Some(i) = first_repeated_key(&members) {
            self.pos = key_starts[i];
            let key = &members[i].0;
            return Err(self.error(&format!("duplicate key `{}`", Short(key))));
        }
        Ok(Value::Object(members))
    }

    fn array(&mut self, depth: usize) -> Result<Value, String> {
        self.check_depth(depth)?;
        self.pos += 1; // '['
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value(depth)?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error("expected `,` or `]` in an array")),
            }
        }
    }

    /// A string literal starting at the current `"`.
    fn string(&mut self) -> Result<String, String> {
        self.pos += 1; // '"'
        let mut out = String::new();
        loop {
            // Copy the run of plain characters up to the next quote,
            // backslash or control character in one go.
            let start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // The run ends before an ASCII byte, so on a char boundary.
            out.push_str(self.text.get(start..self.pos).unwrap_or_default());
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escaped = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.pos += 1;
                            out.push(self.unicode_escape()?);
                            continue;
                        }
                        _ => return Err(self.error("invalid escape in a string")),
                    };
                    self.pos += 1;
                    out.push(escaped);
                }
                Some(_) => {
                    return Err(self.error("control character in a string (escape it)"));
                }
            }
        }
    }

    /// Four hex digits after `\u`.
    fn hex4(&mut self) -> Result<u32, String> {
        let mut code = 0;
        for i in 0..4 {
            let digit = self
                .bytes
                .get(self.pos + i)
                .and_then(|&b| char::from(b).to_digit(16));
            match digit {
                Some(d) => code = code << 4 | d,
                None => return Err(self.error("expected four hex digits after \\u")),
            }
        }
        self.pos += 4;
        Ok(code)
    }

    /// The character of a `\uXXXX` escape (after the `u`), joining a UTF-16
    /// surrogate pair.
    fn unicode_escape(&mut self) -> Result<char, String> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if !self.bytes[self.pos..].starts_with(b"\\u") {
                    return Err(self.error("lone leading surrogate in a \\u escape"));
                }
                self.pos += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error("invalid trailing surrogate in a \\u escape"));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => {
                return Err(self.error("lone trailing surrogate in a \\u escape"));
            }
            c => c,
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid \\u escape"))
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    /// A number literal: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    fn number(&mut self) -> Result<Value, String> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        let int_digits = self.digits();
        if int_digits == 0 {
            return Err(self.error("expected a digit"));
        }
        if int_digits > 1 && self.bytes[int_start] == b'0' {
            self.pos = int_start;
            return Err(self.error("a number may not have a leading zero"));
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error("expected a digit after the decimal point"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("expected a digit in the exponent"));
            }
        }
        Ok(Value::Number(Literal::new(
            self.text.get(start..self.pos).unwrap_or_default(),
        )))
    }
}

/// Why a document does not fit its format: `"<path>: <message>"`.
///
/// Boxed to one word: the readers move it through every `?`.
#[derive(Debug)]
#[allow(
    clippy::box_collection,
    reason = "one word instead of three: every `?` of the readers moves it"
)]
pub(crate) struct ReadError(Box<String>);

impl fmt::Display for ReadError {
    /// The message.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl ReadError {
    /// The message.
    pub(crate) fn into_message(self) -> String {
        *self.0
    }
}

/// The result of reading part of a document.
pub(crate) type Read<T> = Result<T, ReadError>;

/// Where a value sits in a document, for error messages: `routers[2].public`.
/// Built on the stack while reading and only rendered on error.
#[derive(Clone, Copy)]
pub(crate) enum Path<'p> {
    /// The document itself.
    Root,
    /// A member of the object at the parent path.
    Key(&'p Path<'p>, &'p str),
    /// An element of the array at the parent path.
    Index(&'p Path<'p>, usize),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => Ok(()),
            Path::Key(Path::Root, key) => f.write_str(key),
            Path::Key(parent, key) => write!(f, "{parent}.{key}"),
            Path::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

/// A value being read (borrowed for `'v`), with its path (built on the
/// stack, borrowed for `'p`). Strings read from it live as long as the
/// document, not the path.
#[derive(Clone, Copy)]
pub(crate) struct Field<'v, 'p> {
    pub(crate) value: &'v Value,
    path: Path<'p>,
}

impl<'v> Field<'v, 'static> {
    /// The root of a document.
    pub(crate) fn root(value: &'v Value) -> Field<'v, 'static> {
        Field {
            value,
            path: Path::Root,
        }
    }
}

impl<'v> Field<'v, '_> {
    /// `"<path>: <message>"` (just the message at the root).
    pub(crate) fn error(&self, message: impl fmt::Display) -> ReadError {
        ReadError(Box::new(match self.path {
            Path::Root => message.to_string(),
            path => format!("{path}: {message}"),
        }))
    }

    fn expected(&self, what: &str) -> ReadError {
        self.error(format_args!(
            "expected {what}, found {}",
            self.value.describe()
        ))
    }

    fn object_members(&self) -> Read<&'v [(String, Value)]> {
        match self.value {
            Value::Object(members) => Ok(members),
            _ => Err(self.expected("an object")),
        }
    }

    /// Reads an object: `f` gets its members and must take every one it
    /// knows; any member left over is an unknown field.
    pub(crate) fn object<T>(&self, f: impl FnOnce(&Members<'v, '_>) -> Read<T>) -> Read<T> {
        let members = self.object_members()?;
        let reader = Members {
            members,
            taken: vec![Cell::new(false); members.len()],
            path: &self.path,
        };
        let out = f(&reader)?;
        reader.check_all_taken()?;
        Ok(out)
    }

    /// Member `key` of an object, ignoring the other members (`None` when
    /// it is missing).
    pub(crate) fn member<'s>(&'s self, key: &'s str) -> Read<Option<Field<'v, 's>>> {
        Ok(self
            .object_members()?
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, value)| Field {
                value,
                path: Path::Key(&self.path, key),
            }))
    }

    /// The `format_version` member of a document's root object (`None` when
    /// missing), read on its own before the rest so that a newer format is
    /// reported as such rather than as unknown fields.
    pub(crate) fn format_version(&self) -> Read<Option<u64>> {
        self.member("format_version")?
            .map(|f| f.uint::<u64>())
            .transpose()
    }

    /// Reads an array, calling `f` with each element.
    pub(crate) fn array<T>(&self, mut f: impl FnMut(Field<'v, '_>) -> Read<T>) -> Read<Vec<T>> {
        let Value::Array(items) = self.value else {
            return Err(self.expected("an array"));
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, value) in items.iter().enumerate() {
            out.push(f(Field {
                value,
                path: Path::Index(&self.path, i),
            })?);
        }
        Ok(out)
    }

    /// A string.
    pub(crate) fn str(&self) -> Read<&'v str> {
        match self.value {
            Value::String(s) => Ok(s),
            _ => Err(self.expected("a string")),
        }
    }

    /// `true` or `false`.
    pub(crate) fn bool(&self) -> Read<bool> {
        match self.value {
            Value::Bool(b) => Ok(*b),
            _ => Err(self.expected("true or false")),
        }
    }

    /// An unsigned integer literal (no sign, fraction or exponent) below
    /// `max`, the largest value of the `type_name` it is read into.
    fn uint_below(&self, max: u64, type_name: &str) -> Read<u64> {
        let n = match self.value {
            Value::Number(n) => n.as_str(),
            other => other.describe(),
        };
        n.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| n.parse::<u64>().ok())
            .flatten()
            .filter(|&v| v <= max)
            .ok_or_else(|| {
                self.error(format_args!(
                    "expected an unsigned integer that fits {type_name}, found {}",
                    Short(n)
                ))
            })
    }

    /// An unsigned integer literal that fits `T`.
    pub(crate) fn uint<T: UnsignedInt>(&self) -> Read<T> {
        self.uint_below(T::MAX_U64, T::NAME).map(T::from_u64)
    }
}

/// Input quoted in a message: escaped, and cut to its first
/// [`Short::MAX_CHARS`] characters so that a hostile literal cannot flood
/// the message (SPEC E3; a 5 MB number was echoed whole).
pub(crate) struct Short<'a>(pub(crate) &'a str);

impl Short<'_> {
    /// Most characters quoted.
    pub(crate) const MAX_CHARS: usize = 64;
}

impl fmt::Display for Short<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.char_indices().nth(Short::MAX_CHARS) {
            None => write!(f, "{}", self.0.escape_debug()),
            Some((end, _)) => write!(
                f,
                "{}... ({} characters)",
                self.0[..end].escape_debug(),
                self.0.chars().count()
            ),
        }
    }
}

/// A decimal number held in a JSON string (generator positions, fraction
/// parts), read only in its canonical form: ASCII digits without a sign or
/// a leading zero (`"0"` itself is canonical). Anything else (`"+5"`,
/// `"0005"`, `" 5"`) is `None`, so that every accepted document is written
/// back byte for byte (SPEC T1).
pub(crate) fn canonical_decimal<T: std::str::FromStr>(s: &str) -> Option<T> {
    let digits = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let canonical = digits && (s == "0" || !s.starts_with('0'));
    canonical.then(|| s.parse().ok()).flatten()
}

/// The unsigned integer types the formats hold.
pub(crate) trait UnsignedInt {
    /// The type's name, for messages.
    const NAME: &'static str;
    /// Its largest value, as a u64.
    const MAX_U64: u64;
    /// Converts a value at most [`UnsignedInt::MAX_U64`].
    fn from_u64(v: u64) -> Self;
}

macro_rules! unsigned_int {
    ($($t:ty),*) => {$(
        impl UnsignedInt for $t {
            const NAME: &'static str = stringify!($t);
            const MAX_U64: u64 = if (<$t>::MAX as u128) < (u64::MAX as u128) {
                <$t>::MAX as u64
            } else {
                u64::MAX
            };
            #[allow(clippy::cast_possible_truncation)]
            fn from_u64(v: u64) -> Self {
                v as $t
            }
        }
    )*};
}
unsigned_int!(u32, u64, usize);

/// The members of an object being read (see [`Field::object`]).
pub(crate) struct Members<'v, 'p> {
    members: &'v [(String, Value)],
    taken: Vec<Cell<bool>>,
    path: &'p Path<'p>,
}

impl<'v> Members<'v, '_> {
    fn find<'s>(&'s self, key: &'s str) -> Option<Field<'v, 's>> {
        let i = self.members.iter().position(|(k, _)| k == key)?;
        self.taken[i].set(true);
        Some(Field {
            value: &self.members[i].1,
            path: Path::Key(self.path, key),
        })
    }

    /// Required member `key`.
    pub(crate) fn get<'s>(&'s self, key: &'s str) -> Read<Field<'v, 's>> {
        self.find(key).ok_or_else(|| {
            Field {
                value: &Value::Null,
                path: *self.path,
            }
            .error(format_args!("missing field `{key}`"))
        })
    }

    /// Member `key` that may be `null` or missing (both `None`).
    pub(crate) fn optional<'s>(&'s self, key: &'s str) -> Option<Field<'v, 's>> {
        self.find(key).filter(|f| !matches!(f.value, Value::Null))
    }

    /// Required string member `key`.
    pub(crate) fn str(&self, key: &str) -> Read<&'v str> {
        self.get(key)?.str()
    }

    /// String member `key` that may be `null` or missing.
    pub(crate) fn optional_str(&self, key: &str) -> Read<Option<&'v str>> {
        self.optional(key).map(|f| f.str()).transpose()
    }

    /// Required unsigned integer member `key`.
    pub(crate) fn uint<T: UnsignedInt>(&self, key: &str) -> Read<T> {
        self.get(key)?.uint()
    }

    /// Required boolean member `key`.
    pub(crate) fn bool(&self, key: &str) -> Read<bool> {
        self.get(key)?.bool()
    }

    /// Required array-of-strings member `key`.
    pub(crate) fn strings(&self, key: &str) -> Read<Vec<&'v str>> {
        self.get(key)?.array(|item| item.str())
    }

    /// An error naming the first member nobody took.
    /// Marks every member no reader has taken as taken and returns their
    /// paths, in document order: for a format that lists the fields it does
    /// not read instead of refusing them (the platform resources, SPEC P1).
    pub(crate) fn take_rest(&self) -> Vec<String> {
        let mut rest = Vec::new();
        for ((key, _), taken) in self.members.iter().zip(&self.taken) {
            if !taken.replace(true) {
                rest.push(Path::Key(self.path, key).to_string());
            }
        }
        rest
    }

    /// The path of the object these members belong to.
    pub(crate) fn path(&self) -> String {
        self.path.to_string()
    }

    fn check_all_taken(&self) -> Read<()> {
        match self.members.iter().zip(&self.taken).find(|(_, t)| !t.get()) {
            None => Ok(()),
            Some(((key, _), _)) => Err(Field {
                value: &Value::Null,
                path: *self.path,
            }
            .error(format_args!("unknown field `{}`", Short(key)))),
        }
    }
}

/// The reader, for the fuzz targets only (feature `fuzzing`).
#[cfg(feature = "fuzzing")]
pub mod fuzzing {
    /// Parses `text` with the formats' JSON reader and prints the value
    /// back (numbers as their literal text), or the reader's error.
    ///
    /// # Errors
    /// The reader's message for input it rejects.
    pub fn parse_and_print(text: &str) -> Result<String, String> {
        super::parse(text).map(|v| v.to_pretty())
    }
}

#[cfg(feature = "serde")]
pub(crate) mod serde_impls {
    //! The value tree as a serde data model, so that the snapshot and plan
    //! formats, and each value type in the shape it has in them, can be
    //! embedded in any self-describing serde format without a second
    //! definition of their fields: serializing serializes the tree the
    //! format's [`Writer`] builds, deserializing reads the tree with the
    //! format's reader, with its checks and messages.

    use std::fmt;

    use serde::de::{self, MapAccess, SeqAccess, Visitor};
    use serde::ser::{SerializeMap, SerializeSeq};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{Field, Literal, Value, Writer};
    use crate::{MigrationPlan, Registry};

    /// Serializes what `write` writes, as a value tree (no text).
    pub(crate) fn serialize_written<S: Serializer>(
        s: S,
        write: impl FnOnce(&mut Writer),
    ) -> Result<S::Ok, S::Error> {
        let mut w = Writer::tree();
        write(&mut w);
        w.into_value().serialize(s)
    }

    /// Deserializes a value tree and reads it with `read`; its error's
    /// message becomes the deserializer's error.
    pub(crate) fn deserialize_read<'de, D: Deserializer<'de>, T, E: fmt::Display>(
        d: D,
        read: impl FnOnce(Field<'_, '_>) -> Result<T, E>,
    ) -> Result<T, D::Error> {
        let value = Value::deserialize(d)?;
        read(Field::root(&value)).map_err(de::Error::custom)
    }

    /// Deserializes a string and parses it with `parse`, for the value types
    /// held as one string (names, regions, strategies, ...); works in every
    /// serde format, self-describing or not.
    pub(crate) fn deserialize_parsed<'de, D: Deserializer<'de>, T, E: fmt::Display>(
        d: D,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, D::Error> {
        let text = String::deserialize(d)?;
        parse(&text).map_err(de::Error::custom)
    }

    /// `Serialize` and `Deserialize` for a value type in the shape it has in
    /// the snapshot or plan format: `$write(w, &value)` writes it with the
    /// format's [`Writer`] (serialized as a value tree), `$read(field)` reads
    /// it with the format's reader and checks, `Err` holding a displayable
    /// message.
    macro_rules! serde_via_format {
        ($(#[$doc:meta])* $t:ty, write: $write:expr, read: $read:expr $(,)?) => {
            $(#[$doc])*
            impl serde::Serialize for $t {
                fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    $crate::support::json::serde_impls::serialize_written(s, |w| {
                        ($write)(w, self)
                    })
                }
            }

            $(#[$doc])*
            impl<'de> serde::Deserialize<'de> for $t {
                fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$t, D::Error> {
                    $crate::support::json::serde_impls::deserialize_read(d, $read)
                }
            }
        };
    }
    pub(crate) use serde_via_format;

    /// `Serialize` and `Deserialize` for a value type held as one string, as
    /// in the formats: its `Display` text, read back by `$parse(&str)`
    /// (`Err` holding a displayable message). Works in every serde format.
    macro_rules! serde_as_string {
        ($(#[$doc:meta])* $t:ty, parse: $parse:expr $(,)?) => {
            $(#[$doc])*
            impl serde::Serialize for $t {
                fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    s.collect_str(self)
                }
            }

            $(#[$doc])*
            impl<'de> serde::Deserialize<'de> for $t {
                fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$t, D::Error> {
                    $crate::support::json::serde_impls::deserialize_parsed(d, $parse)
                }
            }
        };
    }
    pub(crate) use serde_as_string;

    impl Serialize for Value {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self {
                Value::Null => s.serialize_none(),
                Value::Bool(b) => s.serialize_bool(*b),
                Value::Number(n) => match n.as_str().parse::<u64>() {
                    Ok(n) => s.serialize_u64(n),
                    Err(_) => Err(serde::ser::Error::custom(format_args!(
                        "the number {} is not an unsigned integer",
                        super::Short(n.as_str())
                    ))),
                },
                Value::String(v) => s.serialize_str(v),
                Value::Array(items) => {
                    let mut seq = s.serialize_seq(Some(items.len()))?;
                    for item in items {
                        seq.serialize_element(item)?;
                    }
                    seq.end()
                }
                Value::Object(members) => {
                    let mut map = s.serialize_map(Some(members.len()))?;
                    for (k, v) in members {
                        map.serialize_entry(k, v)?;
                    }
                    map.end()
                }
            }
        }
    }

    struct ValueVisitor;

    impl<'de> Visitor<'de> for ValueVisitor {
        type Value = Value;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON-like value")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_none<E: de::Error>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            Value::deserialize(d)
        }
        fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
            Ok(Value::Bool(b))
        }
        fn visit_u64<E: de::Error>(self, n: u64) -> Result<Value, E> {
            Ok(Value::Number(Literal::new(&n.to_string())))
        }
        fn visit_i64<E: de::Error>(self, n: i64) -> Result<Value, E> {
            Ok(Value::Number(Literal::new(&n.to_string())))
        }
        fn visit_f64<E: de::Error>(self, n: f64) -> Result<Value, E> {
            // Kept as a non-integer literal, so that readers reject it with
            // the usual message (the formats only hold unsigned integers).
            if n.is_finite() {
                Ok(Value::Number(Literal::new(&format!("{n:?}"))))
            } else {
                Err(de::Error::custom("a number that is not finite"))
            }
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
            Ok(Value::String(s.to_owned()))
        }
        fn visit_string<E: de::Error>(self, s: String) -> Result<Value, E> {
            Ok(Value::String(s))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
            let mut items = Vec::new();
            while let Some(item) = seq.next_element()? {
                items.push(item);
            }
            Ok(Value::Array(items))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            let mut members: Vec<(String, Value)> = Vec::new();
            while let Some((k, v)) = map.next_entry::<String, Value>()? {
                members.push((k, v));
            }
            match super::first_repeated_key(&members) {
                Some(i) => Err(de::Error::custom(format_args!(
                    "duplicate key `{}`",
                    super::Short(&members[i].0)
                ))),
                None => Ok(Value::Object(members)),
            }
        }
    }

    impl<'de> Deserialize<'de> for Value {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
            d.deserialize_any(ValueVisitor)
        }
    }

    /// The snapshot of [`Registry::to_json`], as a serde value: the same
    /// fields, written by the same writer, without going through text.
    impl Serialize for Registry {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            serialize_written(s, |w| self.write(w))
        }
    }

    /// Loads a snapshot as [`Registry::from_json`] does: every rule checked,
    /// the error's message on failure.
    impl<'de> Deserialize<'de> for Registry {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Registry, D::Error> {
            Registry::from_value(&Value::deserialize(d)?, None).map_err(de::Error::custom)
        }
    }

    /// The plan of [`MigrationPlan::to_json`], as a serde value: the same
    /// fields, written by the same writer, without going through text.
    impl Serialize for MigrationPlan {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            serialize_written(s, |w| self.write(w))
        }
    }

    /// Loads and checks a plan as [`MigrationPlan::from_json`] does.
    impl<'de> Deserialize<'de> for MigrationPlan {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<MigrationPlan, D::Error> {
            MigrationPlan::from_value(&Value::deserialize(d)?).map_err(de::Error::custom)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_and_prints_pretty() {
        let text = r#" { "a" : [1, 20, {"b": null}], "c": "x\"y\\z\n\u00e9\ud83d\ude00", "d": [], "e": {}, "f": true } "#;
        let v = parse(text).unwrap();
        assert_eq!(
            v.to_pretty(),
            "{\n  \"a\": [\n    1,\n    20,\n    {\n      \"b\": null\n    }\n  ],\n  \"c\": \"x\\\"y\\\\z\\n\u{e9}\u{1f600}\",\n  \"d\": [],\n  \"e\": {},\n  \"f\": true\n}"
        );
        assert_eq!(parse(&v.to_pretty()).unwrap(), v);
    }

    /// Both forms of a [`Writer`] write the same document: the tree is what
    /// parsing the text gives.
    #[cfg(feature = "serde")]
    #[test]
    fn tree_writer_builds_what_the_text_parses_to() {
        let write = |w: &mut Writer| {
            w.object(|w| {
                w.key("n").uint(u64::MAX);
                w.key("s").text("a\"b\n");
                w.key("empty").elements(|_| {});
                w.key("none").option(None::<u32>, |w, n| w.uint(n));
                w.key("list").array([1u32, 2], |w, n| {
                    w.object(|w| {
                        w.key("n").uint(n);
                        w.key("ok").bool(n == 1);
                        w.key("inner").object(|_| {});
                    });
                });
            });
        };
        let mut text = Writer::default();
        write(&mut text);
        let mut tree = Writer::tree();
        write(&mut tree);
        let tree = tree.into_value();
        assert_eq!(parse(&text.finish()).unwrap(), tree);
        assert!(matches!(&tree, Value::Object(m) if m.len() == 5));
    }

    #[test]
    fn control_characters_are_escaped() {
        let v = Value::String("\u{0}\u{8}\u{c}\u{1f}\t\r\u{7f}/".into());
        assert_eq!(
            v.to_pretty(),
            r#""\u0000\b\f\u001f\t\r/""#.replace('/', "\u{7f}/")
        );
        assert_eq!(parse(&v.to_pretty()).unwrap(), v);
    }

    #[test]
    fn numbers_follow_the_grammar() {
        for ok in ["0", "-0", "12", "1.5", "-1e9", "2E+3", "0.0e-1"] {
            assert_eq!(parse(ok).unwrap(), Value::Number(Literal::new(ok)), "{ok}");
        }
        for bad in ["01", "-", "1.", ".5", "1e", "+1", "0x10", "1e+"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn syntax_errors_give_line_and_column() {
        let cases = [
            (
                "",
                "expected a JSON value, found the end of the input at line 1 column 1",
            ),
            (
                "{\n  \"a\" 1}",
                "expected `:` after an object key at line 2 column 7",
            ),
            (
                "[1 2]",
                "expected `,` or `]` in an array at line 1 column 4",
            ),
            ("{\"a\": 1,}", "expected a string key at line 1 column 9"),
            (
                "{\"a\": 1, \"a\": 2}",
                "duplicate key `a` at line 1 column 10",
            ),
            (
                "\"é\u{1}\"",
                "control character in a string (escape it) at line 1 column 3",
            ),
            ("\"\\x\"", "invalid escape in a string at line 1 column 3"),
            (
                "\"\\ud800\"",
                "lone leading surrogate in a \\u escape at line 1 column 8",
            ),
            (
                "\"\\udc00\"",
                "lone trailing surrogate in a \\u escape at line 1 column 8",
            ),
            ("\"abc", "unterminated string at line 1 column 5"),
            (
                "\"\\u12\"",
                "expected four hex digits after \\u at line 1 column 4",
            ),
            (
                "[\"\\u00E9\",\r\n \"\\u12g4\"]",
                "expected four hex digits after \\u at line 2 column 5",
            ),
            (
                "\"\\u+123\"",
                "expected four hex digits after \\u at line 1 column 4",
            ),
            (
                "[1,\n\"é\u{1f600}\" x]",
                "expected `,` or `]` in an array at line 2 column 6",
            ),
            ("nul", "expected a JSON value at line 1 column 1"),
            (
                "1 2",
                "trailing characters after the JSON value at line 1 column 3",
            ),
        ];
        for (text, message) in cases {
            assert_eq!(parse(text).unwrap_err(), message, "{text:?}");
        }
    }

    /// Key comparisons the duplicate-key check makes for an object of `n`
    /// distinct keys (issue 15: every key was compared with every earlier
    /// one, 80,000 keys took 10 s).
    fn key_comparisons(n: usize) -> u64 {
        let members: Vec<String> = (0..n).map(|i| format!("\"k{i}\": {i}")).collect();
        let text = format!("{{{}}}", members.join(","));
        crate::support::ordered_map::SORT_COMPARISONS.with(|c| c.set(0));
        let parsed = parse(&text).unwrap();
        assert!(matches!(&parsed, Value::Object(m) if m.len() == n));
        crate::support::ordered_map::SORT_COMPARISONS.with(std::cell::Cell::get)
    }

    #[test]
    fn e3_duplicate_keys_cost_n_log_n_comparisons() {
        let (small, large) = (key_comparisons(4_000), key_comparisons(8_000));
        // A sort needs at least n - 1 comparisons; `sort_unstable` (pattern-
        // defeating quicksort, heapsort as its fallback) at most about 2 n log2 n. Doubling n then costs a little over twice as much,
        // where comparing every pair would cost four times as much.
        assert!((4_000..=2 * 4_000 * 12 + 4_000).contains(&small), "{small}");
        assert!(large * 10 < small * 23, "{small} -> {large}");
    }

    #[test]
    fn duplicate_key_error_names_the_first_repeat_in_document_order() {
        assert_eq!(
            parse(r#"{"b": 1, "a": 2, "a": 3, "b": 4}"#).unwrap_err(),
            "duplicate key `a` at line 1 column 18"
        );
        assert_eq!(
            parse(r#"{"a": {"x": 1, "x": 2}}"#).unwrap_err(),
            "duplicate key `x` at line 1 column 16"
        );
    }

    /// Issue 15: a 5 MB number literal was echoed whole in the error.
    #[test]
    fn e3_long_literals_are_quoted_by_a_short_prefix() {
        let huge = format!("[{}]", "9".repeat(5_000_000));
        let v = parse(&huge).unwrap();
        let message = Field::root(&v)
            .array(|f| f.uint::<u64>())
            .unwrap_err()
            .into_message();
        assert_eq!(
            message,
            format!(
                "[0]: expected an unsigned integer that fits u64, found {}... (5000000 characters)",
                "9".repeat(64)
            )
        );
        let key = "k".repeat(1_000);
        let text = format!("{{\"{key}\": 1, \"{key}\": 2}}");
        let message = parse(&text).unwrap_err();
        assert!(message.starts_with(&format!(
            "duplicate key `{}... (1000 characters)`",
            "k".repeat(64)
        )));
        assert!(message.len() < 200, "{message}");
        let v = parse(&format!("{{\"{key}\": 1}}")).unwrap();
        let message = Field::root(&v)
            .object(|_| Ok(()))
            .unwrap_err()
            .into_message();
        assert!(message.len() < 200, "{message}");
    }

    #[test]
    fn e3_values_stay_small() {
        // A value is four words whatever it holds; a number takes no heap.
        assert!(std::mem::size_of::<Value>() <= 32);
        for text in [
            "0",
            "18446744073709551615",
            "-1234567890.123456e-10",
            "1.2345678901234567890123e5",
        ] {
            let literal = Literal::new(text);
            assert_eq!(literal.as_str(), text);
            assert_eq!(
                matches!(literal, Literal::Inline { .. }),
                text.len() <= Literal::INLINE,
                "{text}"
            );
        }
    }

    #[test]
    fn t1_decimals_in_strings_must_be_canonical() {
        assert_eq!(canonical_decimal::<u64>("0"), Some(0));
        assert_eq!(canonical_decimal::<u64>("5"), Some(5));
        assert_eq!(
            canonical_decimal::<u64>("18446744073709551615"),
            Some(u64::MAX)
        );
        for bad in [
            "",
            "+5",
            "+0005",
            "0005",
            "00",
            "-0",
            " 5",
            "5 ",
            "5.0",
            "1e3",
            "18446744073709551616",
        ] {
            assert_eq!(canonical_decimal::<u64>(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn nesting_is_limited() {
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(parse(&deep).unwrap_err().contains("nest deeper than 128"));
        // Far deeper input fails the same way, without exhausting the stack.
        assert!(parse(&"[{\"a\":".repeat(100_000)).is_err());
    }

    #[test]
    fn readers_name_the_path() {
        let v = parse(r#"{"list": [{"n": 1}, {"n": -1}], "flag": 1, "extra": 0}"#).unwrap();
        let read = |v: &Value| {
            Field::root(v)
                .object(|m| {
                    m.get("list")?
                        .array(|item| item.object(|m| m.uint::<u32>("n")))
                })
                .map_err(ReadError::into_message)
        };
        assert_eq!(
            read(&v).unwrap_err(),
            "list[1].n: expected an unsigned integer that fits u32, found -1"
        );
        let v = parse(r#"{"list": [{"n": 4294967296}]}"#).unwrap();
        assert!(
            read(&v)
                .unwrap_err()
                .starts_with("list[0].n: expected an unsigned")
        );
        let v = parse(r#"{"list": [{"n": 7}], "extra": 0}"#).unwrap();
        assert_eq!(read(&v).unwrap_err(), "unknown field `extra`");
        let v = parse(r#"{"list": [{}]}"#).unwrap();
        assert_eq!(read(&v).unwrap_err(), "list[0]: missing field `n`");
        let v = parse(r#"{"list": [{"n": 7}, {"n": 1.0}]}"#).unwrap();
        assert!(read(&v).unwrap_err().contains("found 1.0"));
        let v = parse(r#"{"list": [{"n": 7}]}"#).unwrap();
        assert_eq!(read(&v).unwrap(), vec![7]);
        let v = parse(r#"[1]"#).unwrap();
        assert_eq!(read(&v).unwrap_err(), "expected an object, found an array");
    }

    #[test]
    fn optional_members() {
        let v = parse(r#"{"a": null, "b": "x"}"#).unwrap();
        let got = Field::root(&v)
            .object(|m| {
                Ok((
                    m.optional_str("a")?,
                    m.optional_str("b")?,
                    m.optional_str("c")?,
                ))
            })
            .unwrap();
        assert_eq!(got, (None, Some("x"), None));
    }
}
