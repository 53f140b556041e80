/* kfs_smoke - drives kashflow_sync_native through its C ABI, loaded the way .NET loads it
 * (LoadLibrary/GetProcAddress on Windows, dlopen/dlsym elsewhere). Built twice by .ci/windows-test:
 * with gcc against the Linux .so and with mingw against the Windows DLL (run under wine); the previews
 * both write are then compared, so the Windows library is held to what the Linux one answers today.
 *
 *   kfs_smoke LIBRARY DATA_DIR KASHFLOW_URL OUT_DIR SYNC_SNAPSHOT FIXTURE...
 *
 * Checks: ABI version, version document, a panic inside the library comes back as KFS_PANIC (and the
 * library still answers afterwards), engine create with its journal under DATA_DIR (on Windows a path
 * with backslashes and spaces), preview of every FIXTURE (written to OUT_DIR/<name>.preview.json),
 * enqueue of SYNC_SNAPSHOT and wait (deadline 60 s) until the journal says Synced against the sandbox
 * KashFlow at KASHFLOW_URL, shutdown, free, journal file present. Prints "SMOKE OK" and exits 0. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "kashflow_sync_native.h"
#ifdef _WIN32
#include <windows.h>
typedef HMODULE lib_t;
static lib_t lib_open(const char *p) { return LoadLibraryA(p); }
static void *lib_sym(lib_t l, const char *n) { return (void *)GetProcAddress(l, n); }
static unsigned long lib_err(void) { return GetLastError(); }
static void pause_ms(unsigned ms) { Sleep(ms); }
#define SEP "\\"
#else
#include <dlfcn.h>
#include <unistd.h>
typedef void *lib_t;
static lib_t lib_open(const char *p) { return dlopen(p, RTLD_NOW | RTLD_LOCAL); }
static void *lib_sym(lib_t l, const char *n) { return dlsym(l, n); }
static unsigned long lib_err(void) { fprintf(stderr, "%s\n", dlerror()); return 0; }
static void pause_ms(unsigned ms) { usleep(ms * 1000); }
#define SEP "/"
#endif

typedef uint32_t (*abi_version_t)(void);
typedef int32_t (*out_only_t)(KfsBuffer *);
typedef int32_t (*engine_create_t)(const uint8_t *, size_t, KfsLogCallback, void *, KfsEngine **, KfsBuffer *);
typedef int32_t (*engine_doc_t)(KfsEngine *, const uint8_t *, size_t, KfsBuffer *);
typedef int32_t (*engine_out_t)(KfsEngine *, KfsBuffer *);
typedef int32_t (*engine_shutdown_t)(KfsEngine *, uint32_t, KfsBuffer *);

static int fails = 0;
#define CHECK(cond, ...) do { if (!(cond)) { fails++; printf("FAIL: " __VA_ARGS__); printf("\n"); } } while (0)

static void on_log(void *ud, int32_t level, const uint8_t *t, size_t tl, const uint8_t *m, size_t ml) {
  (void)ud;
  if (level <= (getenv("KFS_SMOKE_DEBUG") ? KFS_LOG_TRACE : KFS_LOG_WARN)) printf("  [engine log %d] %.*s: %.*s\n", level, (int)tl, (const char *)t, (int)(ml > 300 ? 300 : ml), (const char *)m);
}
static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END); long n = ftell(f); fseek(f, 0, SEEK_SET);
  char *b = malloc((size_t)n + 1);
  *len = fread(b, 1, (size_t)n, f); b[*len] = 0; fclose(f);
  return b;
}
static const char *base_name(const char *p) {
  const char *b = p;
  for (const char *c = p; *c; c++) if (*c == '/' || *c == '\\') b = c + 1;
  return b;
}
/* JSON-escape backslashes and quotes of a path */
static void json_escape(const char *in, char *out, size_t cap) {
  size_t j = 0;
  for (const char *c = in; *c && j + 2 < cap; c++) { if (*c == '\\' || *c == '"') out[j++] = '\\'; out[j++] = *c; }
  out[j] = 0;
}

int main(int argc, char **argv) {
  if (argc < 7) { printf("usage: kfs_smoke LIBRARY DATA_DIR KASHFLOW_URL OUT_DIR SYNC_SNAPSHOT FIXTURE...\n"); return 2; }
  setvbuf(stdout, NULL, _IONBF, 0);
  lib_t lib = lib_open(argv[1]);
  if (!lib) { printf("FAIL: cannot load %s (error %lu)\n", argv[1], lib_err()); return 2; }
  printf("loaded %s\n", argv[1]);
#define SYM(type, name) type p_##name = (type)lib_sym(lib, #name); if (!p_##name) { printf("FAIL: missing export %s\n", #name); return 2; }
  SYM(abi_version_t, kfs_abi_version) SYM(out_only_t, kfs_version) SYM(out_only_t, kfs_buffer_free)
  SYM(out_only_t, kfs_debug_panic) SYM(engine_create_t, kfs_engine_create) SYM(engine_doc_t, kfs_engine_preview)
  SYM(engine_doc_t, kfs_engine_enqueue_order) SYM(engine_out_t, kfs_engine_status_counts)
  SYM(engine_shutdown_t, kfs_engine_shutdown) SYM(engine_out_t, kfs_engine_free)
  KfsBuffer out = {0};
  int32_t st;

  uint32_t abi = p_kfs_abi_version();
  CHECK(abi == KFS_ABI_VERSION, "kfs_abi_version %u, header %d", abi, KFS_ABI_VERSION);
  st = p_kfs_version(&out);
  CHECK(st == KFS_OK && out.len > 0, "kfs_version status %d", st);
  printf("version: %.*s\n", (int)out.len, (const char *)out.ptr);
  p_kfs_buffer_free(&out);

  st = p_kfs_debug_panic(&out);
  CHECK(st == KFS_PANIC, "kfs_debug_panic status %d, expected KFS_PANIC", st);
  CHECK(out.len > 0 && strstr((const char *)out.ptr, "\"Panic\"") != NULL, "the panic's error document has no Code Panic: %.*s", (int)out.len, out.ptr ? (const char *)out.ptr : "");
  printf("panic contained: %.*s\n", (int)(out.len > 160 ? 160 : out.len), out.ptr ? (const char *)out.ptr : "");
  p_kfs_buffer_free(&out);
  st = p_kfs_version(&out);
  CHECK(st == KFS_OK, "the library does not answer after a panic (status %d)", st);
  p_kfs_buffer_free(&out);

  char journal[2048], ejournal[4096], eurl[1024], cfg[8192];
  snprintf(journal, sizeof journal, "%s" SEP "kashflow-sync.sqlite", argv[2]);
  json_escape(journal, ejournal, sizeof ejournal);
  json_escape(argv[3], eurl, sizeof eurl);
  snprintf(cfg, sizeof cfg,
           "{\"JournalPath\":\"%s\",\"KashFlow\":{\"Mode\":\"Sandbox\",\"BaseUrl\":\"%s\",\"UserName\":\"sandbox\","
           "\"Password\":\"sandbox-password\",\"MemorableWord\":\"kashflow\",\"TimeoutSeconds\":10},\"Workers\":2,"
           "\"Retry\":{\"MaxAttempts\":5,\"BaseDelayMs\":50,\"MaxDelayMs\":500}}", ejournal, eurl);
  KfsEngine *eng = NULL;
  st = p_kfs_engine_create((const uint8_t *)cfg, strlen(cfg), on_log, NULL, &eng, &out);
  if (st != KFS_OK) { printf("FAIL: kfs_engine_create status %d: %.*s\n", st, (int)out.len, out.ptr ? (const char *)out.ptr : ""); return 1; }
  p_kfs_buffer_free(&out);
  printf("engine created, journal %s\n", journal);

  int previews = 0;
  for (int a = 6; a < argc; a++) {
    size_t len; char *doc = slurp(argv[a], &len);
    if (!doc) { fails++; printf("FAIL: cannot read %s\n", argv[a]); continue; }
    st = p_kfs_engine_preview(eng, (const uint8_t *)doc, len, &out);
    char path[2048];
    snprintf(path, sizeof path, "%s" SEP "%s.preview.json", argv[4], base_name(argv[a]));
    FILE *f = fopen(path, "wb");
    if (f) { fprintf(f, "{\"Status\":%d,\"Document\":", st); fwrite(out.ptr, 1, out.len, f); fputs("}\n", f); fclose(f); previews++; }
    else { fails++; printf("FAIL: cannot write %s\n", path); }
    p_kfs_buffer_free(&out);
    free(doc);
  }
  printf("previews written: %d\n", previews);

  size_t slen; char *snap = slurp(argv[5], &slen);
  if (!snap) { printf("FAIL: cannot read %s\n", argv[5]); return 2; }
  st = p_kfs_engine_enqueue_order(eng, (const uint8_t *)snap, slen, &out);
  CHECK(st == KFS_OK, "enqueue status %d: %.*s", st, (int)out.len, out.ptr ? (const char *)out.ptr : "");
  printf("enqueued: %.*s\n", (int)out.len, out.ptr ? (const char *)out.ptr : "");
  p_kfs_buffer_free(&out);
  int synced = 0;
  const char *f;
  time_t deadline = time(NULL) + 60;
  while (!synced && time(NULL) < deadline) {
    st = p_kfs_engine_status_counts(eng, &out);
    if (st == KFS_OK && out.ptr && strstr((const char *)out.ptr, "\"Synced\":1")) { synced = 1; printf("status: %.*s\n", (int)out.len, (const char *)out.ptr); }
    else if (st == KFS_OK && out.ptr && (f = strstr((const char *)out.ptr, "\"Failed\":")) && f[9] != '0') { printf("status: %.*s\n", (int)out.len, (const char *)out.ptr); p_kfs_buffer_free(&out); break; }
    p_kfs_buffer_free(&out);
    if (!synced) pause_ms(100);
  }
  CHECK(synced, "the order did not reach Synced against %s within 60 s", argv[3]);

  st = p_kfs_engine_shutdown(eng, 5000, &out);
  CHECK(st == KFS_OK, "shutdown status %d", st);
  p_kfs_buffer_free(&out);
  st = p_kfs_engine_free(eng, &out);
  CHECK(st == KFS_OK, "free status %d", st);
  p_kfs_buffer_free(&out);
  FILE *j = fopen(journal, "rb");
  CHECK(j != NULL, "journal %s missing", journal);
  if (j) fclose(j);

  printf(fails ? "SMOKE FAILED (%d)\n" : "SMOKE OK\n", fails);
  return fails ? 1 : 0;
}
