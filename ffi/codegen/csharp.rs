//! C# P/Invoke generator for the subset of C that cbindgen emits for `kashflow_sync_native.h`:
//! `#define NAME <integer>`, opaque `typedef struct X X;`, `typedef struct X { T f; ... } X;`,
//! function-pointer typedefs `typedef R (*X)(params);` and function declarations, with `//` doc
//! comments. Anything else is an error naming the line, so a header change the generator does not
//! understand fails the bindings test instead of producing wrong declarations.
//!
//! Output: blittable `[DllImport]` declarations only (pointers, fixed-size integers, `nuint`,
//! `delegate* unmanaged[Cdecl]`), so no marshalling code runs at the boundary.

use std::collections::BTreeMap;
use std::fmt::Write;

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Const {
        doc: Vec<String>,
        name: String,
        value: String,
    },
    Opaque {
        doc: Vec<String>,
        name: String,
    },
    Struct {
        doc: Vec<String>,
        name: String,
        fields: Vec<(String, String)>,
    },
    FnPtr {
        doc: Vec<String>,
        name: String,
        ret: String,
        params: Vec<(String, String)>,
    },
    Function {
        doc: Vec<String>,
        name: String,
        ret: String,
        params: Vec<(String, String)>,
    },
}

/// Parses the header into items, in header order.
pub fn parse_header(header: &str) -> Result<Vec<Item>, String> {
    let mut items = Vec::new();
    let mut doc: Vec<String> = Vec::new();
    let mut guard: Option<String> = None;
    let lines: Vec<&str> = header.lines().collect();
    let mut i = 0;
    let mut in_block_comment = false;
    while i < lines.len() {
        let line = lines[i].trim();
        let lineno = i + 1;
        i += 1;
        if in_block_comment {
            if line.contains("*/") {
                in_block_comment = false;
            }
            continue;
        }
        if line.starts_with("/*") {
            in_block_comment = !line.contains("*/");
            continue;
        }
        if let Some(text) = line.strip_prefix("//") {
            doc.push(text.strip_prefix(' ').unwrap_or(text).to_string());
            continue;
        }
        if line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix("#ifndef ") {
            guard.get_or_insert_with(|| name.trim().to_string());
            doc.clear();
            continue;
        }
        if line.starts_with("#include")
            || line.starts_with("#endif")
            || line.starts_with("#ifdef __cplusplus")
            || line == "extern \"C\" {"
            || line == "}  // extern \"C\""
            || line == "} // extern \"C\""
            || line == "}"
        {
            doc.clear();
            continue;
        }
        if let Some(rest) = line.strip_prefix("#define ") {
            let mut parts = rest.split_whitespace();
            let name = parts.next().unwrap_or_default().to_string();
            let value: Vec<&str> = parts.collect();
            if Some(&name) == guard.as_ref() && value.is_empty() {
                doc.clear();
                continue;
            }
            let value = value.join(" ");
            if value.parse::<i64>().is_err() {
                return Err(format!(
                    "line {lineno}: #define {name} has a non-integer value '{value}'"
                ));
            }
            items.push(Item::Const {
                doc: std::mem::take(&mut doc),
                name,
                value,
            });
            continue;
        }
        // Statements may span lines: gather up to the terminating ';'.
        let mut stmt = line.to_string();
        if stmt.starts_with("typedef struct") && stmt.ends_with('{') {
            while i < lines.len() && !stmt.contains('}') {
                stmt.push(' ');
                stmt.push_str(lines[i].trim());
                i += 1;
            }
        }
        while !stmt.ends_with(';') && i < lines.len() {
            stmt.push(' ');
            stmt.push_str(lines[i].trim());
            i += 1;
        }
        let doc_now = std::mem::take(&mut doc);
        items.push(
            parse_statement(&stmt, doc_now).map_err(|e| format!("line {lineno}: {e}: {stmt}"))?,
        );
    }
    Ok(items)
}

fn parse_statement(stmt: &str, doc: Vec<String>) -> Result<Item, String> {
    let body = stmt.trim_end_matches(';').trim();
    if let Some(rest) = body.strip_prefix("typedef struct ") {
        if let Some(open) = rest.find('{') {
            let name = rest[..open].trim().to_string();
            let close = rest.rfind('}').ok_or("struct without '}'")?;
            let alias = rest[close + 1..].trim();
            if alias != name {
                return Err(format!("struct {name} aliased as '{alias}'"));
            }
            let fields = rest[open + 1..close]
                .split(';')
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .map(split_declarator)
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(Item::Struct { doc, name, fields });
        }
        let words: Vec<&str> = rest.split_whitespace().collect();
        if words.len() == 2 && words[0] == words[1] {
            return Ok(Item::Opaque {
                doc,
                name: words[0].to_string(),
            });
        }
        return Err("unsupported struct typedef".into());
    }
    if let Some(rest) = body.strip_prefix("typedef ") {
        // R (*Name)(params)
        let star = rest
            .find("(*")
            .ok_or("only function-pointer typedefs are supported")?;
        let ret = rest[..star].trim().to_string();
        let after = &rest[star + 2..];
        let close = after
            .find(')')
            .ok_or("function-pointer typedef without ')'")?;
        let name = after[..close].trim().to_string();
        let params = parse_params(after[close + 1..].trim())?;
        return Ok(Item::FnPtr {
            doc,
            name,
            ret,
            params,
        });
    }
    let open = body.find('(').ok_or("not a function declaration")?;
    let (ret, name) = split_declarator(&body[..open])?;
    let params = parse_params(body[open..].trim())?;
    Ok(Item::Function {
        doc,
        name,
        ret,
        params,
    })
}

/// `(T a, const U *b)` → [(T, a), (const U *, b)]; `(void)` → [].
fn parse_params(list: &str) -> Result<Vec<(String, String)>, String> {
    let inner = list
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
        .ok_or_else(|| format!("malformed parameter list '{list}'"))?
        .trim();
    if inner.is_empty() || inner == "void" {
        return Ok(Vec::new());
    }
    if inner.contains('(') {
        return Err("inline function-pointer parameters are unsupported (use a typedef)".into());
    }
    inner
        .split(',')
        .map(|p| split_declarator(p.trim()))
        .collect()
}

/// `const uint8_t *document` → ("const uint8_t *", "document").
fn split_declarator(decl: &str) -> Result<(String, String), String> {
    let decl = decl.trim();
    let split = decl
        .rfind(|c: char| c == '*' || c.is_whitespace())
        .ok_or_else(|| format!("declaration '{decl}' has no name"))?;
    let ty = decl[..=split].trim().to_string();
    let name = decl[split + 1..].trim().to_string();
    if ty.is_empty()
        || name.is_empty()
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(format!("cannot split declaration '{decl}'"));
    }
    Ok((ty, name))
}

/// Maps a C type of the subset to its blittable C# spelling.
fn cs_type(
    c: &str,
    fn_ptrs: &BTreeMap<String, String>,
    structs: &[String],
) -> Result<String, String> {
    let stars = c.matches('*').count();
    let base: Vec<&str> = c
        .split(|ch: char| ch == '*' || ch.is_whitespace())
        .filter(|w| !w.is_empty() && *w != "const" && *w != "struct")
        .collect();
    if base.len() != 1 {
        return Err(format!("unsupported C type '{c}'"));
    }
    let base = base[0];
    let mapped = match base {
        "void" => "void".to_string(),
        "int8_t" => "sbyte".into(),
        "uint8_t" | "char" => "byte".into(),
        "int16_t" => "short".into(),
        "uint16_t" => "ushort".into(),
        "int32_t" => "int".into(),
        "uint32_t" => "uint".into(),
        "int64_t" => "long".into(),
        "uint64_t" => "ulong".into(),
        "size_t" | "uintptr_t" => "nuint".into(),
        "intptr_t" | "ptrdiff_t" => "nint".into(),
        "float" => "float".into(),
        "double" => "double".into(),
        other if fn_ptrs.contains_key(other) => {
            if stars > 0 {
                return Err(format!("pointer to function pointer '{c}' is unsupported"));
            }
            fn_ptrs[other].clone()
        }
        other if structs.iter().any(|s| s == other) => other.to_string(),
        other => return Err(format!("unknown C type '{other}' in '{c}'")),
    };
    if mapped == "void" && stars == 0 {
        return Ok("void".into());
    }
    Ok(format!("{mapped}{}", "*".repeat(stars)))
}

const CS_KEYWORDS: &[&str] = &[
    "abstract",
    "as",
    "base",
    "bool",
    "break",
    "byte",
    "case",
    "catch",
    "char",
    "checked",
    "class",
    "const",
    "continue",
    "decimal",
    "default",
    "delegate",
    "do",
    "double",
    "else",
    "enum",
    "event",
    "explicit",
    "extern",
    "false",
    "finally",
    "fixed",
    "float",
    "for",
    "foreach",
    "goto",
    "if",
    "implicit",
    "in",
    "int",
    "interface",
    "internal",
    "is",
    "lock",
    "long",
    "namespace",
    "new",
    "null",
    "object",
    "operator",
    "out",
    "override",
    "params",
    "private",
    "protected",
    "public",
    "readonly",
    "ref",
    "return",
    "sbyte",
    "sealed",
    "short",
    "sizeof",
    "stackalloc",
    "static",
    "string",
    "struct",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "uint",
    "ulong",
    "unchecked",
    "unsafe",
    "ushort",
    "using",
    "virtual",
    "void",
    "volatile",
    "while",
];

fn ident(name: &str) -> String {
    if CS_KEYWORDS.contains(&name) {
        format!("@{name}")
    } else {
        name.to_string()
    }
}

fn write_doc(out: &mut String, indent: &str, doc: &[String]) {
    if doc.is_empty() {
        return;
    }
    let _ = writeln!(out, "{indent}/// <summary>");
    for line in doc {
        let escaped = line
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        if escaped.is_empty() {
            let _ = writeln!(out, "{indent}///");
        } else {
            let _ = writeln!(out, "{indent}/// {escaped}");
        }
    }
    let _ = writeln!(out, "{indent}/// </summary>");
}

/// Generates `NativeMethods.g.cs` from the header text.
pub fn generate_csharp(
    header: &str,
    namespace: &str,
    library: &str,
    header_path: &str,
) -> Result<String, String> {
    let items = parse_header(header)?;
    let structs: Vec<String> = items
        .iter()
        .filter_map(|i| match i {
            Item::Struct { name, .. } | Item::Opaque { name, .. } => Some(name.clone()),
            _ => None,
        })
        .collect();
    let mut fn_ptrs: BTreeMap<String, String> = BTreeMap::new();
    for item in &items {
        if let Item::FnPtr {
            name, ret, params, ..
        } = item
        {
            let mut parts = params
                .iter()
                .map(|(t, _)| cs_type(t, &fn_ptrs, &structs))
                .collect::<Result<Vec<_>, _>>()?;
            parts.push(cs_type(ret, &fn_ptrs, &structs)?);
            fn_ptrs.insert(
                name.clone(),
                format!("delegate* unmanaged[Cdecl]<{}>", parts.join(", ")),
            );
        }
    }

    let mut out = String::new();
    let _ = writeln!(out, "// <auto-generated>");
    let _ = writeln!(
        out,
        "// Generated from {header_path} by the C# generator in ffi/codegen/csharp.rs."
    );
    let _ = writeln!(
        out,
        "// Do not edit by hand; regenerate with: bash bindings/generate.sh"
    );
    let _ = writeln!(out, "// </auto-generated>");
    let _ = writeln!(out, "#nullable enable");
    let _ = writeln!(out, "using System.Runtime.InteropServices;");
    let _ = writeln!(out);
    let _ = writeln!(out, "namespace {namespace};");

    for item in &items {
        match item {
            Item::Opaque { doc, name } => {
                let _ = writeln!(out);
                write_doc(&mut out, "", doc);
                let _ = writeln!(out, "/// <remarks>Opaque native type; only pointers to it cross the boundary.</remarks>");
                let _ = writeln!(out, "internal struct {name}");
                let _ = writeln!(out, "{{");
                let _ = writeln!(out, "}}");
            }
            Item::Struct { doc, name, fields } => {
                let _ = writeln!(out);
                write_doc(&mut out, "", doc);
                let _ = writeln!(out, "[StructLayout(LayoutKind.Sequential)]");
                let _ = writeln!(out, "internal unsafe struct {name}");
                let _ = writeln!(out, "{{");
                for (ty, field) in fields {
                    let _ = writeln!(
                        out,
                        "    public {} {};",
                        cs_type(ty, &fn_ptrs, &structs)?,
                        ident(field)
                    );
                }
                let _ = writeln!(out, "}}");
            }
            _ => {}
        }
    }

    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "/// <summary>P/Invoke declarations of every export of {library}.</summary>"
    );
    let _ = writeln!(out, "internal static unsafe partial class NativeMethods");
    let _ = writeln!(out, "{{");
    let _ = writeln!(out, "    /// <summary>Native library name, resolved by <see cref=\"NativeLibraryResolver\"/>.</summary>");
    let _ = writeln!(out, "    public const string LibraryName = \"{library}\";");
    for item in &items {
        match item {
            Item::Const { doc, name, value } => {
                let ty = if value.parse::<i32>().is_ok() {
                    "int"
                } else {
                    "long"
                };
                let _ = writeln!(out);
                write_doc(&mut out, "    ", doc);
                let _ = writeln!(out, "    public const {ty} {name} = {value};");
            }
            Item::Function {
                doc,
                name,
                ret,
                params,
            } => {
                let params = params
                    .iter()
                    .map(|(t, n)| Ok(format!("{} {}", cs_type(t, &fn_ptrs, &structs)?, ident(n))))
                    .collect::<Result<Vec<_>, String>>()?;
                let _ = writeln!(out);
                write_doc(&mut out, "    ", doc);
                let _ = writeln!(
                    out,
                    "    [DllImport(LibraryName, EntryPoint = \"{name}\", ExactSpelling = true, CallingConvention = CallingConvention.Cdecl)]"
                );
                let _ = writeln!(
                    out,
                    "    public static extern {} {}({});",
                    cs_type(ret, &fn_ptrs, &structs)?,
                    ident(name),
                    params.join(", ")
                );
            }
            Item::FnPtr { doc, name, .. } => {
                // C# has no alias for a function-pointer type: its spelling is inlined where the
                // typedef is used; this comment keeps the name and its documentation.
                let _ = writeln!(out);
                for line in doc {
                    let _ = writeln!(
                        out,
                        "    //{}{line}",
                        if line.is_empty() { "" } else { " " }
                    );
                }
                let _ = writeln!(out, "    // typedef {name}: {}", fn_ptrs[name]);
            }
            _ => {}
        }
    }
    let _ = writeln!(out, "}}");
    Ok(out)
}

/// Names of the functions the generated C# declares (`EntryPoint = "..."`).
pub fn declared_entry_points(csharp: &str) -> Vec<String> {
    let mut names: Vec<String> = csharp
        .lines()
        .filter_map(|l| l.split("EntryPoint = \"").nth(1))
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect();
    names.sort();
    names
}
