//! Checks every declaration in `src/lib.rs` against the real `<fluidsynth.h>`.
//!
//! The `unsafe extern "C"` block is parsed (one `pub fn` item at a time, single- or
//! multi-line), each Rust signature is translated into a C function-pointer type, and a C
//! file is generated that initialises `static RET (*check_NAME)(ARGS) = &NAME;` for every
//! function. It is compiled with `cc -c -Werror` (plus `-Werror=incompatible-pointer-types`
//! for compilers where that warning is not on by default), so any disagreement in arity,
//! parameter or return types, pointer depth or `const` fails the test and names the function.
//!
//! The same C file also checks:
//! * the opaque types and type aliases (`fluid_log_function_t`) against the C typedefs,
//! * every `pub const` against the C enum value or macro of the same name,
//! * deprecation: a function the header marks `FLUID_DEPRECATED` must carry `#[deprecated]`
//!   (it is compiled with `-Wdeprecated-declarations` as an error unless it does).
//!
//! The compiler and flags are the target's, as the build script found them (`CC_<target>`,
//! `TARGET_CC`/`HOST_CC`, `CC`, else `cc`; the same for `CFLAGS`), so a cross build (run
//! under qemu) checks the target's headers with the cross compiler; the include directories
//! are the ones the build script found with pkg-config.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

const LIB_RS: &str = include_str!("../src/lib.rs");

// ---------------------------------------------------------------------------------------
// Parsing the Rust source
// ---------------------------------------------------------------------------------------

/// One `pub fn` of the extern block.
#[derive(Debug, Clone, PartialEq)]
struct FnDecl {
    name: String,
    /// Rust parameter types, names stripped.
    params: Vec<String>,
    /// Rust return type; `None` for `()`.
    ret: Option<String>,
    deprecated: bool,
}

/// Everything of `lib.rs` the C check looks at.
#[derive(Debug, Default)]
struct Bindings {
    /// Opaque `pub enum NAME {}` types.
    opaque: Vec<String>,
    /// `pub type NAME = TYPE;`
    aliases: Vec<(String, String)>,
    /// `pub const NAME: TYPE = VALUE;`
    consts: Vec<(String, String)>,
    fns: Vec<FnDecl>,
    /// Number of `fn ` keywords in the extern block (comments excluded).
    fn_keywords: usize,
    /// Names found by a naive `pub fn NAME` scan of the extern block's lines.
    scanned_names: Vec<String>,
}

/// Removes `//` comments (doc comments included). The bindings contain no `//` in strings.
fn strip_comments(src: &str) -> String {
    src.lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Returns the text between `unsafe extern "C" {` and its closing `}` (the first line that
/// is exactly `}`), and fails if there is not exactly one such block.
fn extern_block(src: &str) -> Result<&str, String> {
    const OPEN: &str = "unsafe extern \"C\" {";
    let starts: Vec<usize> = src
        .match_indices(OPEN)
        .map(|(at, _)| at)
        .filter(|&at| at == 0 || src.as_bytes()[at - 1] == b'\n')
        .collect();
    let [start] = starts[..] else {
        return Err(format!(
            "expected exactly one line `{OPEN}`, found {}",
            starts.len()
        ));
    };
    let body_start = start + OPEN.len();
    let end = src[body_start..]
        .find("\n}")
        .ok_or("extern block is not closed by a `}` line")?;
    Ok(&src[body_start..body_start + end])
}

/// Splits `s` at top-level occurrences of `sep`, ignoring separators nested in `()`, `<>`
/// or `[]` (the `>` of `->` does not close anything). Empty pieces are dropped.
fn split_top_level(s: &str, sep: char) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut current = String::new();
    let mut prev = '\0';
    for c in s.chars() {
        match c {
            '(' | '<' | '[' => depth += 1,
            '>' if prev == '-' => {}
            ')' | '>' | ']' => depth -= 1,
            _ => {}
        }
        if c == sep && depth == 0 {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
        prev = c;
    }
    parts.push(current);
    parts
        .into_iter()
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}

/// Index of the `)` matching the `(` at `open`.
fn matching_paren(s: &str, open: usize) -> Result<usize, String> {
    let mut depth = 0;
    for (i, c) in s[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Ok(open + i);
                }
            }
            _ => {}
        }
    }
    Err(format!("unbalanced parentheses in `{s}`"))
}

/// `name: TYPE` -> `TYPE`; a bare `TYPE` (as in `fn(c_int)`) is returned unchanged.
fn param_type(param: &str) -> String {
    let bytes = param.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b':' {
            let path_sep = bytes.get(i + 1) == Some(&b':') || (i > 0 && bytes[i - 1] == b':');
            let is_name = param[..i]
                .trim()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '#');
            if !path_sep && is_name {
                return param[i + 1..].trim().to_owned();
            }
            break;
        }
    }
    param.trim().to_owned()
}

/// Parses `(PARAMS) -> RET` (the text from the opening parenthesis on).
fn parse_signature(s: &str) -> Result<(Vec<String>, Option<String>), String> {
    let s = s.trim();
    if !s.starts_with('(') {
        return Err(format!("expected `(` in `{s}`"));
    }
    let close = matching_paren(s, 0)?;
    let params = split_top_level(&s[1..close], ',')
        .iter()
        .map(|p| param_type(p))
        .collect::<Vec<_>>();
    if params.iter().any(|p| p == "...") {
        return Err(format!("variadic functions are not supported: `{s}`"));
    }
    let rest = s[close + 1..].trim();
    let ret = if rest.is_empty() {
        None
    } else if let Some(ty) = rest.strip_prefix("->") {
        Some(ty.split_whitespace().collect::<Vec<_>>().join(" "))
    } else {
        return Err(format!("unexpected `{rest}` after the parameters"));
    };
    Ok((params, ret.filter(|t| t != "()")))
}

/// Parses one item of the extern block (text up to, not including, its `;`).
fn parse_fn_item(item: &str, deprecated: bool) -> Result<FnDecl, String> {
    let item = item.trim();
    let rest = item
        .strip_prefix("pub fn ")
        .ok_or_else(|| format!("unsupported item in the extern block: `{item}`"))?;
    let open = rest
        .find('(')
        .ok_or_else(|| format!("no parameter list in `{item}`"))?;
    let name = rest[..open].trim().to_owned();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!("bad function name in `{item}`"));
    }
    let (params, ret) = parse_signature(&rest[open..]).map_err(|e| format!("{name}: {e}"))?;
    Ok(FnDecl {
        name,
        params,
        ret,
        deprecated,
    })
}

/// Counts the `fn ` keywords of `code` (an identifier ending in `fn` does not count).
fn count_fn_keywords(code: &str) -> usize {
    code.match_indices("fn ")
        .filter(|(at, _)| {
            *at == 0 || {
                let prev = code.as_bytes()[at - 1];
                !(prev.is_ascii_alphanumeric() || prev == b'_')
            }
        })
        .count()
}

/// Reads `[...]` starting at `s[0] == '['`; returns the attribute text and its length.
fn bracketed(s: &str) -> Result<(&str, usize), String> {
    let mut depth = 0;
    for (i, c) in s.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    return Ok((&s[1..i], i + 1));
                }
            }
            _ => {}
        }
    }
    Err(format!("unclosed attribute `{s}`"))
}

/// Parses the items of the extern block: attributes, then `pub fn ...;`.
fn parse_extern_items(code: &str) -> Result<Vec<FnDecl>, String> {
    let mut fns = Vec::new();
    let mut rest = code.trim_start();
    let mut deprecated = false;
    while !rest.is_empty() {
        if let Some(attr) = rest.strip_prefix('#') {
            let (text, len) = bracketed(attr)?;
            if text.trim_start().starts_with("deprecated") {
                deprecated = true;
            }
            rest = attr[len..].trim_start();
            continue;
        }
        let end = rest
            .find(';')
            .ok_or_else(|| format!("item without `;`: `{rest}`"))?;
        fns.push(parse_fn_item(&rest[..end], deprecated)?);
        deprecated = false;
        rest = rest[end + 1..].trim_start();
    }
    Ok(fns)
}

/// Parses the top-level `pub enum NAME {}`, `pub type` and `pub const` items of `code`
/// (comments already stripped), outside the extern block.
fn parse_top_level(code: &str, out: &mut Bindings) -> Result<(), String> {
    for (keyword, what) in [("pub enum ", 0), ("pub type ", 1), ("pub const ", 2)] {
        for (at, _) in code.match_indices(keyword) {
            let item = &code[at + keyword.len()..];
            match what {
                0 => {
                    let end = item.find('}').ok_or("unclosed enum")?;
                    let (name, body) = item[..end].split_once('{').ok_or("enum without body")?;
                    if !body.trim().is_empty() {
                        return Err(format!("enum {name} is not an opaque zero-variant enum"));
                    }
                    out.opaque.push(name.trim().to_owned());
                }
                1 => {
                    let end = item.find(';').ok_or("type alias without `;`")?;
                    let (name, ty) = item[..end]
                        .split_once('=')
                        .ok_or("type alias without `=`")?;
                    let ty = ty.split_whitespace().collect::<Vec<_>>().join(" ");
                    out.aliases.push((name.trim().to_owned(), ty));
                }
                _ => {
                    let end = item.find(';').ok_or("const without `;`")?;
                    let (lhs, value) = item[..end].split_once('=').ok_or("const without `=`")?;
                    let name = lhs.split(':').next().unwrap_or("").trim().to_owned();
                    out.consts.push((name, value.trim().to_owned()));
                }
            }
        }
    }
    Ok(())
}

/// Parses a bindings source file shaped like `src/lib.rs`.
fn parse_bindings(src: &str) -> Result<Bindings, String> {
    let block = extern_block(src)?;
    let block_code = strip_comments(block);
    let mut out = Bindings {
        fns: parse_extern_items(&block_code)?,
        fn_keywords: count_fn_keywords(&block_code),
        ..Bindings::default()
    };
    out.scanned_names = block
        .lines()
        .map(str::trim)
        .filter_map(|line| line.strip_prefix("pub fn "))
        .map(|rest| {
            rest.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .next()
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    let outside = src.replacen(block, "", 1);
    parse_top_level(&strip_comments(&outside), &mut out)?;
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Translating Rust types to C
// ---------------------------------------------------------------------------------------

/// Translation state: the function-pointer typedefs generated so far and the type names
/// that `lib.rs` defines with the same name as in C.
struct Translator {
    typedefs: Vec<String>,
    known_names: BTreeSet<String>,
}

impl Translator {
    fn new(known_names: impl IntoIterator<Item = String>) -> Self {
        Translator {
            typedefs: Vec::new(),
            known_names: known_names.into_iter().collect(),
        }
    }

    /// The C spelling of a Rust FFI type. Function pointers become generated typedefs
    /// (`smf_fnptr_N`), which keeps every declarator simple.
    fn c_type(&mut self, ty: &str) -> Result<String, String> {
        let ty = ty.trim();
        if let Some(inner) = ty.strip_prefix("*mut ") {
            return Ok(format!("{} *", self.c_type(inner)?));
        }
        if let Some(inner) = ty.strip_prefix("*const ") {
            return Ok(format!("{} const *", self.c_type(inner)?));
        }
        if let Some(inner) = ty.strip_prefix("Option<").and_then(|t| t.strip_suffix('>')) {
            // A nullable function pointer: C function pointers are nullable anyway.
            return match self.fn_pointer(inner)? {
                Some(c) => Ok(c),
                None => Err(format!("`{ty}`: only Option<extern \"C\" fn> is FFI-safe")),
            };
        }
        if let Some(c) = self.fn_pointer(ty)? {
            return Err(format!(
                "`{ty}` is a non-nullable fn pointer; C may pass NULL, use Option<{c}>"
            ));
        }
        let base = ["core::ffi::", "std::ffi::", "std::os::raw::", "libc::"]
            .iter()
            .find_map(|p| ty.strip_prefix(p))
            .unwrap_or(ty);
        let c = match base {
            "c_void" => "void",
            "c_char" => "char",
            "c_schar" => "signed char",
            "c_uchar" => "unsigned char",
            "c_short" => "short",
            "c_ushort" => "unsigned short",
            "c_int" => "int",
            "c_uint" => "unsigned int",
            "c_long" => "long",
            "c_ulong" => "unsigned long",
            "c_longlong" => "long long",
            "c_ulonglong" => "unsigned long long",
            "c_float" => "float",
            "c_double" => "double",
            name if self.known_names.contains(name) => name,
            other => return Err(format!("no C translation for the Rust type `{other}`")),
        };
        Ok(c.to_owned())
    }

    /// Translates `unsafe extern "C" fn(...) -> R` into a typedef name; `Ok(None)` when
    /// `ty` is not a function pointer type.
    fn fn_pointer(&mut self, ty: &str) -> Result<Option<String>, String> {
        let ty = ty.trim();
        let Some(sig) = ["unsafe extern \"C\" fn", "extern \"C\" fn"]
            .iter()
            .find_map(|p| ty.strip_prefix(p))
        else {
            if ty.starts_with("fn") || ty.starts_with("unsafe fn") {
                return Err(format!("`{ty}` is not an extern \"C\" fn"));
            }
            return Ok(None);
        };
        let (params, ret) = parse_signature(sig)?;
        let proto = self.prototype_parts(&params, ret.as_deref())?;
        let name = format!("smf_fnptr_{}", self.typedefs.len());
        self.typedefs
            .push(format!("typedef {} (*{name})({});", proto.0, proto.1));
        Ok(Some(name))
    }

    /// `(return type, parameter list)` in C; `()` becomes `(void)`.
    fn prototype_parts(
        &mut self,
        params: &[String],
        ret: Option<&str>,
    ) -> Result<(String, String), String> {
        let ret = match ret {
            None => "void".to_owned(),
            Some(ty) => self.c_type(ty)?,
        };
        let params = if params.is_empty() {
            "void".to_owned()
        } else {
            params
                .iter()
                .map(|p| self.c_type(p))
                .collect::<Result<Vec<_>, _>>()?
                .join(", ")
        };
        Ok((ret, params))
    }
}

// ---------------------------------------------------------------------------------------
// Generating and compiling the C check
// ---------------------------------------------------------------------------------------

/// The generated C file, with the Rust item each line checks.
struct CheckSource {
    text: String,
    /// `labels[i]` names what line `i + 1` checks, if anything.
    labels: Vec<Option<String>>,
}

fn generate_c(b: &Bindings) -> Result<CheckSource, String> {
    let known = b
        .opaque
        .iter()
        .chain(b.aliases.iter().map(|(name, _)| name))
        .cloned();
    let mut tr = Translator::new(known);
    let mut body: Vec<(String, Option<String>)> = Vec::new();

    for name in &b.opaque {
        // The C typedef must exist under the same name.
        body.push((
            format!("static {name} *smf_opaque_{name} __attribute__((unused)) = 0;"),
            Some(format!("opaque type {name}")),
        ));
    }
    for (name, ty) in &b.aliases {
        let c = tr.c_type(ty).map_err(|e| format!("type {name}: {e}"))?;
        // Pointers to incompatible types do not convert implicitly.
        body.push((
            format!("static {c} *smf_alias_{name} __attribute__((unused)) = ({name} *)0;"),
            Some(format!("type alias {name}")),
        ));
    }
    for (name, value) in &b.consts {
        body.push((
            format!("_Static_assert(({name}) == ({value}), \"{name} differs from the header\");"),
            Some(format!("constant {name}")),
        ));
    }
    for f in &b.fns {
        let (ret, params) = tr
            .prototype_parts(&f.params, f.ret.as_deref())
            .map_err(|e| format!("{}: {e}", f.name))?;
        let check = format!(
            "static {ret} (*check_{0})({params}) __attribute__((unused)) = &{0};",
            f.name
        );
        let label = Some(format!("function {}", f.name));
        if f.deprecated {
            body.push(("#pragma GCC diagnostic push".into(), None));
            body.push((
                "#pragma GCC diagnostic ignored \"-Wdeprecated-declarations\"".into(),
                None,
            ));
            body.push((check, label));
            body.push(("#pragma GCC diagnostic pop".into(), None));
        } else {
            body.push((check, label));
        }
    }

    let mut lines: Vec<(String, Option<String>)> = vec![
        (
            "/* Generated by fluidsynth-sys tests/header_signatures.rs */".into(),
            None,
        ),
        ("#include <fluidsynth.h>".into(), None),
    ];
    lines.extend(tr.typedefs.iter().map(|t| (t.clone(), None)));
    lines.extend(body);
    let mut text = String::new();
    for (line, _) in &lines {
        writeln!(text, "{line}").unwrap();
    }
    Ok(CheckSource {
        text,
        labels: lines.into_iter().map(|(_, label)| label).collect(),
    })
}

fn include_dirs() -> Vec<PathBuf> {
    std::env::split_paths(env!("FLUIDSYNTH_SYS_INCLUDE_DIRS"))
        .filter(|p| !p.as_os_str().is_empty())
        .collect()
}

/// Compiles `check` in `dir`. On failure returns the Rust items the compiler complained
/// about (from the line numbers of its diagnostics) and its full output.
fn compile(check: &CheckSource, dir: &Path) -> Result<(), (BTreeSet<String>, String)> {
    std::fs::create_dir_all(dir).expect("create the scratch directory");
    let c_file = dir.join("fluidsynth_sys_check.c");
    std::fs::write(&c_file, &check.text).expect("write the generated C file");
    let cc = env!("FLUIDSYNTH_SYS_TEST_CC");
    let mut cmd = Command::new(cc);
    cmd.args(env!("FLUIDSYNTH_SYS_TEST_CFLAGS").split_whitespace());
    cmd.args([
        "-c",
        "-Wall",
        "-Werror",
        "-Werror=incompatible-pointer-types",
    ]);
    for dir in include_dirs() {
        cmd.arg("-I").arg(dir);
    }
    cmd.arg("-o")
        .arg(dir.join("fluidsynth_sys_check.o"))
        .arg(&c_file);
    let output = cmd.output().unwrap_or_else(|e| {
        panic!("cannot run the C compiler {cc:?} (set CC_<target> or CC to override): {e}")
    });
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let file_name = c_file.to_string_lossy().into_owned();
    let mut culprits = BTreeSet::new();
    for line in stderr.lines() {
        let Some(rest) = line
            .strip_prefix(&file_name)
            .and_then(|r| r.strip_prefix(':'))
        else {
            continue;
        };
        let number = rest.split(':').next().and_then(|n| n.parse::<usize>().ok());
        if let Some(Some(label)) = number.and_then(|n| check.labels.get(n.wrapping_sub(1))) {
            culprits.insert(label.clone());
        }
    }
    Err((culprits, stderr))
}

fn scratch_dir(test: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("fluidsynth-sys-header-check")
        .join(test)
}

/// Parses, translates and compiles `src`; `Err` holds the complaint.
fn check_bindings(src: &str, test: &str) -> Result<(), (BTreeSet<String>, String)> {
    let bindings = parse_bindings(src).map_err(|e| (BTreeSet::new(), e))?;
    let check = generate_c(&bindings).map_err(|e| (BTreeSet::new(), e))?;
    compile(&check, &scratch_dir(test))
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

#[test]
fn every_declaration_matches_the_c_header() {
    let bindings = parse_bindings(LIB_RS).expect("parse src/lib.rs");
    let check = generate_c(&bindings).expect("translate src/lib.rs to C");
    // Every function made it into the C file.
    for f in &bindings.fns {
        assert!(
            check.text.contains(&format!("= &{};", f.name)),
            "{} is missing from the generated C check",
            f.name
        );
    }
    if let Err((culprits, output)) = compile(&check, &scratch_dir("lib_rs")) {
        panic!(
            "src/lib.rs disagrees with <fluidsynth.h> for: {culprits:?}\n\
             --- generated C ---\n{}\n--- compiler output ---\n{output}",
            check.text
        );
    }
}

#[test]
fn the_parser_sees_every_declaration() {
    let b = parse_bindings(LIB_RS).expect("parse src/lib.rs");
    assert_eq!(
        b.fns.len(),
        b.fn_keywords,
        "parsed declarations vs `fn ` keywords in the extern block"
    );
    let parsed: Vec<&str> = b.fns.iter().map(|f| f.name.as_str()).collect();
    let scanned: Vec<&str> = b.scanned_names.iter().map(String::as_str).collect();
    assert_eq!(
        parsed, scanned,
        "parsed names vs a line scan for `pub fn NAME`"
    );
    let unique: BTreeSet<&str> = parsed.iter().copied().collect();
    assert_eq!(unique.len(), parsed.len(), "a function is declared twice");
    for name in &parsed {
        assert!(
            LIB_RS.contains(&format!("pub fn {name}(")),
            "{name} not found verbatim in src/lib.rs"
        );
    }
    // The things that the C check compares beyond functions were found too.
    assert!(b.opaque.iter().any(|n| n == "fluid_synth_t"));
    assert!(b.opaque.iter().any(|n| n == "fluid_settings_t"));
    assert!(b.aliases.iter().any(|(n, _)| n == "fluid_log_function_t"));
    assert!(
        b.consts
            .iter()
            .any(|(n, v)| n == "FLUID_FAILED" && v == "-1")
    );
    // Deprecated functions are recognised (they are compiled without the deprecation error).
    let deprecated: Vec<&str> = b
        .fns
        .iter()
        .filter(|f| f.deprecated)
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(
        deprecated,
        [
            "fluid_synth_set_reverb",
            "fluid_synth_set_chorus",
            "fluid_synth_set_sample_rate"
        ]
    );
}

#[test]
fn translator_maps_rust_types_to_c() {
    let mut tr = Translator::new(["fluid_synth_t".to_owned()]);
    let cases = [
        ("c_int", "int"),
        ("core::ffi::c_uint", "unsigned int"),
        ("c_double", "double"),
        ("*mut fluid_synth_t", "fluid_synth_t *"),
        ("*const c_char", "char const *"),
        ("*mut c_float", "float *"),
        ("*mut *mut c_float", "float * *"),
        ("*const *mut c_char", "char * const *"),
        ("*mut c_void", "void *"),
    ];
    for (rust, c) in cases {
        assert_eq!(tr.c_type(rust).as_deref(), Ok(c), "{rust}");
    }
    let fnptr = tr
        .c_type("Option<unsafe extern \"C\" fn(level: c_int, message: *const c_char, data: *mut c_void)>")
        .unwrap();
    assert_eq!(fnptr, "smf_fnptr_0");
    assert_eq!(
        tr.typedefs,
        ["typedef void (*smf_fnptr_0)(int, char const *, void *);"]
    );
    let f = parse_fn_item(
        "pub fn f(\n  a: *mut fluid_synth_t,\n  r#type: c_int,\n) -> *mut c_char",
        false,
    )
    .unwrap();
    assert_eq!(f.params, ["*mut fluid_synth_t", "c_int"]);
    assert_eq!(f.ret.as_deref(), Some("*mut c_char"));
    assert_eq!(
        tr.prototype_parts(&[], None),
        Ok(("void".to_owned(), "void".to_owned()))
    );
    // Unknown types and non-nullable fn pointers are refused, not guessed.
    assert!(tr.c_type("u32").is_err());
    assert!(tr.c_type("fluid_player_t").is_err());
    assert!(tr.c_type("unsafe extern \"C\" fn()").is_err());
}

/// A bindings file with the opaque types and one extern block holding `decl`.
fn mini_bindings(decl: &str) -> String {
    format!(
        "pub enum fluid_settings_t {{}}\npub enum fluid_synth_t {{}}\n\
         pub type fluid_log_function_t =\n    Option<unsafe extern \"C\" fn(level: c_int, message: *const c_char, data: *mut c_void)>;\n\
         pub const FLUID_OK: c_int = 0;\n\
         unsafe extern \"C\" {{\n    {decl}\n}}\n"
    )
}

#[test]
fn a_correct_declaration_compiles() {
    // Control for the test below: the scaffolding itself compiles.
    let src = mini_bindings(
        "pub fn fluid_synth_noteon(synth: *mut fluid_synth_t, chan: c_int, key: c_int, vel: c_int) -> c_int;",
    );
    if let Err((culprits, output)) = check_bindings(&src, "control") {
        panic!("control failed: {culprits:?}\n{output}");
    }
}

#[test]
fn a_wrong_signature_fails_to_compile_and_is_named() {
    let wrong = [
        (
            "missing parameter",
            "fluid_synth_noteon",
            "pub fn fluid_synth_noteon(synth: *mut fluid_synth_t, chan: c_int, key: c_int) -> c_int;",
        ),
        (
            "float instead of double",
            "fluid_settings_setnum",
            "pub fn fluid_settings_setnum(settings: *mut fluid_settings_t, name: *const c_char, val: c_float) -> c_int;",
        ),
        (
            "wrong return type",
            "fluid_synth_get_gain",
            "pub fn fluid_synth_get_gain(synth: *mut fluid_synth_t) -> c_double;",
        ),
        (
            "mut instead of const",
            "fluid_settings_setstr",
            "pub fn fluid_settings_setstr(settings: *mut fluid_settings_t, name: *mut c_char, str: *const c_char) -> c_int;",
        ),
        (
            "one pointer level too few",
            "fluid_synth_process",
            "pub fn fluid_synth_process(synth: *mut fluid_synth_t, len: c_int, nfx: c_int, fx: *mut c_float, nout: c_int, out: *mut *mut c_float) -> c_int;",
        ),
        (
            "wrong callback type",
            "fluid_set_log_function",
            "pub fn fluid_set_log_function(level: c_int, fun: Option<unsafe extern \"C\" fn(level: c_int, message: *mut c_char, data: *mut c_void)>, data: *mut c_void) -> fluid_log_function_t;",
        ),
        (
            "unsigned instead of signed",
            "fluid_synth_sfcount",
            "pub fn fluid_synth_sfcount(synth: *mut fluid_synth_t) -> c_uint;",
        ),
        (
            "no such function",
            "fluid_synth_does_not_exist",
            "pub fn fluid_synth_does_not_exist(synth: *mut fluid_synth_t) -> c_int;",
        ),
        (
            "deprecated in C but not in Rust",
            "fluid_synth_set_sample_rate",
            "pub fn fluid_synth_set_sample_rate(synth: *mut fluid_synth_t, sample_rate: c_float);",
        ),
    ];
    for (i, (why, name, decl)) in wrong.iter().enumerate() {
        let src = mini_bindings(decl);
        match check_bindings(&src, &format!("wrong_{i}")) {
            Ok(()) => panic!("{why}: `{decl}` compiled against the header"),
            Err((culprits, output)) => assert!(
                culprits.contains(&format!("function {name}")),
                "{why}: the failure does not name {name}: {culprits:?}\n{output}"
            ),
        }
    }
}

#[test]
fn a_wrong_constant_or_alias_fails_to_compile() {
    let src = mini_bindings("pub fn fluid_synth_sfcount(synth: *mut fluid_synth_t) -> c_int;")
        .replace("FLUID_OK: c_int = 0", "FLUID_OK: c_int = 1");
    let (culprits, _) = check_bindings(&src, "wrong_const").expect_err("FLUID_OK = 1 compiled");
    assert!(culprits.contains("constant FLUID_OK"), "{culprits:?}");

    let src = mini_bindings("pub fn fluid_synth_sfcount(synth: *mut fluid_synth_t) -> c_int;")
        .replace("data: *mut c_void)>;", "data: *mut c_void) -> c_int>;");
    let (culprits, _) = check_bindings(&src, "wrong_alias").expect_err("bad alias compiled");
    assert!(
        culprits.contains("type alias fluid_log_function_t"),
        "{culprits:?}"
    );
}
