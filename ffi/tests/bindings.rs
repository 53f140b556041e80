//! The committed bindings match the code: the header is what cbindgen makes of `ffi/src` now, the
//! C# is what our generator makes of that header, and the built library exports exactly the
//! functions the C# declares. Also: the library links nothing beyond the C runtime.
//!
//! Refresh the committed files with `bash bindings/generate.sh` (which runs this test with
//! `KFS_UPDATE_BINDINGS=1`).

#[path = "../codegen/csharp.rs"]
mod csgen;

use std::path::{Path, PathBuf};
use std::process::Command;

const REFRESH: &str = "bash bindings/generate.sh";
const HEADER: &str = "bindings/kashflow_sync_native.h";
const CSHARP: &str = "bindings/dotnet/Nop.Plugin.Misc.KashFlow.Native/NativeMethods.g.cs";
const NAMESPACE: &str = "Nop.Plugin.Misc.KashFlow.Native";
const LIBRARY: &str = "kashflow_sync_native";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn updating() -> bool {
    std::env::var("KFS_UPDATE_BINDINGS").as_deref() == Ok("1")
}

/// The header cbindgen generates from the current sources.
fn generated_header() -> String {
    let output = Command::new("cbindgen")
        .current_dir(repo_root())
        .args([
            "--config",
            "ffi/cbindgen.toml",
            "--crate",
            "kashflow-sync-ffi",
            "--quiet",
            "ffi",
        ])
        .output()
        .expect(
            "cbindgen is not installed (Debian package 'cbindgen'; bash .ci/bootstrap installs it)",
        );
    assert!(
        output.status.success(),
        "cbindgen failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("cbindgen wrote non-UTF-8")
}

fn generated_csharp(header: &str) -> String {
    csgen::generate_csharp(header, NAMESPACE, LIBRARY, HEADER)
        .unwrap_or_else(|e| panic!("C# generator: {e}"))
}

/// Compares (or, when updating, writes) one committed generated file.
fn check_committed(relative: &str, expected: &str) {
    let path = repo_root().join(relative);
    if updating() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, expected).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != expected {
        let first_diff = committed
            .lines()
            .zip(expected.lines())
            .position(|(a, b)| a != b)
            .map(|i| format!("first difference at line {}", i + 1))
            .unwrap_or_else(|| "one is a prefix of the other".into());
        panic!("{relative} is out of date ({first_diff}); regenerate it with: {REFRESH}");
    }
}

#[test]
fn header_and_csharp_are_up_to_date() {
    let header = generated_header();
    check_committed(HEADER, &header);
    check_committed(CSHARP, &generated_csharp(&header));
}

/// The cdylib built together with this test: `cargo test` writes it to target/<profile>/deps/
/// (next to this test's executable) and only `cargo build` copies it up to target/<profile>/.
fn built_library() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap();
    let name = format!("lib{LIBRARY}.so");
    [deps.join(&name), deps.parent().unwrap().join(&name)]
        .into_iter()
        .find(|p| p.exists())
        .unwrap_or_else(|| {
            panic!(
                "{name} is missing next to {}; build it with: cargo build -p kashflow-sync-ffi",
                exe.display()
            )
        })
}

fn exported_functions(lib: &Path) -> Vec<String> {
    let output = Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(lib)
        .output()
        .expect("nm (binutils) is not installed");
    assert!(
        output.status.success(),
        "nm failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut names: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            let (_addr, kind, name) = (parts.next()?, parts.next()?, parts.next()?);
            (kind == "T" && name.starts_with("kfs_")).then(|| name.to_string())
        })
        .collect();
    names.sort();
    names
}

#[test]
fn library_exports_exactly_what_the_csharp_declares() {
    let lib = built_library();
    let exported = exported_functions(&lib);
    let committed = std::fs::read_to_string(repo_root().join(CSHARP)).unwrap_or_default();
    let declared = csgen::declared_entry_points(&committed);
    let missing_in_cs: Vec<_> = exported.iter().filter(|n| !declared.contains(n)).collect();
    let missing_in_lib: Vec<_> = declared.iter().filter(|n| !exported.contains(n)).collect();
    assert!(
        missing_in_cs.is_empty() && missing_in_lib.is_empty(),
        "{} exports {:?} that the C# does not declare, and the C# declares {:?} that it does not \
         export; rebuild (cargo build -p kashflow-sync-ffi) and regenerate ({REFRESH})",
        lib.display(),
        missing_in_cs,
        missing_in_lib
    );
    assert!(
        exported.len() >= 8,
        "suspiciously few exports: {exported:?}"
    );
}

#[test]
fn library_needs_nothing_beyond_the_c_runtime() {
    let lib = built_library();
    let output = Command::new("ldd")
        .arg(&lib)
        .output()
        .expect("ldd is not installed");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "ldd failed on {}: {text}",
        lib.display()
    );
    // glibc's own pieces, the loader, the vDSO and the GCC unwinder Rust's std links against.
    const ALLOWED: &[&str] = &[
        "linux-vdso.so",
        "libc.so",
        "libm.so",
        "libdl.so",
        "libpthread.so",
        "librt.so",
        "libgcc_s.so",
        "ld-linux-x86-64.so",
        "ld-linux-aarch64.so",
    ];
    let foreign: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .filter(|l| {
            !ALLOWED
                .iter()
                .any(|a| l.starts_with(a) || l.contains(&format!("/{a}")))
        })
        .collect();
    assert!(
        foreign.is_empty(),
        "{} depends on more than the C runtime (SQLite must be static via .cargo/config.toml [env]): {foreign:?}",
        lib.display()
    );
    assert!(
        !text.contains("libsqlite3") && !text.contains("libssl") && !text.contains("libcrypto")
    );
}

#[test]
fn generator_understands_the_cbindgen_subset() {
    let header = "/* banner */\n#ifndef G\n#define G\n#include <stdint.h>\n\
        // a constant\n#define K_ONE 1\n#define K_BIG 5000000000\n\
        typedef struct Opaque Opaque;\n\
        // a buffer\ntypedef struct Buf {\n  uint8_t *ptr;\n  size_t len;\n} Buf;\n\
        typedef void (*Cb)(void *user_data, int32_t level);\n\
        #ifdef __cplusplus\nextern \"C\" {\n#endif // __cplusplus\n\
        // frees <things> & more\nint32_t k_free(Buf *buffer);\n\
        uint32_t k_version(void);\n\
        int32_t k_create(const uint8_t *config, size_t config_len, Cb cb, Opaque **out, Buf *out_doc);\n\
        #ifdef __cplusplus\n}  // extern \"C\"\n#endif  // __cplusplus\n#endif  /* G */\n";
    let cs = csgen::generate_csharp(header, "N", "lib", "h.h").unwrap();
    assert!(cs.contains("public const int K_ONE = 1;"), "{cs}");
    assert!(cs.contains("public const long K_BIG = 5000000000;"), "{cs}");
    assert!(cs.contains("internal struct Opaque"), "{cs}");
    assert!(
        cs.contains("    public byte* ptr;\n    public nuint len;"),
        "{cs}"
    );
    assert!(cs.contains("/// frees &lt;things&gt; &amp; more"), "{cs}");
    assert!(
        cs.contains("public static extern int k_free(Buf* buffer);"),
        "{cs}"
    );
    assert!(
        cs.contains("public static extern uint k_version();"),
        "{cs}"
    );
    assert!(
        cs.contains(
            "public static extern int k_create(byte* config, nuint config_len, \
             delegate* unmanaged[Cdecl]<void*, int, void> cb, Opaque** @out, Buf* out_doc);"
        ),
        "{cs}"
    );
    assert_eq!(
        csgen::declared_entry_points(&cs),
        vec!["k_create", "k_free", "k_version"]
    );
    // Constructs outside the subset are refused, naming the line.
    let err = csgen::generate_csharp("union U { int a; };\n", "N", "lib", "h.h").unwrap_err();
    assert!(err.starts_with("line 1:"), "{err}");
    let err = csgen::generate_csharp("#define K \"text\"\n", "N", "lib", "h.h").unwrap_err();
    assert!(err.contains("non-integer"), "{err}");
    let err =
        csgen::generate_csharp("int32_t f(struct X *x, long y);\n", "N", "lib", "h.h").unwrap_err();
    assert!(err.contains("unknown C type 'X'"), "{err}");
}
