/* A main() for the coverage build of the fuzz targets (issue 15,
 * tests/fuzz/long-run.sh): runs every file of the given directories (or the
 * given files) through LLVMFuzzerTestOneInput once, in name order. When an
 * input aborts (a broken invariant) or crashes, the coverage counted so far
 * is written out before the process ends, and the index of that input is
 * printed so that the caller can go on after it (CX_COV_SKIP=N skips the
 * first N inputs). Exit status 0 when every input ran, 3 after a crash. */
#define _GNU_SOURCE
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int __llvm_profile_write_file(void);

static char **files;
static size_t nfiles, capfiles, current;

static void add(const char *path)
{
    if (nfiles == capfiles) {
        capfiles = capfiles ? 2 * capfiles : 256;
        files = realloc(files, capfiles * sizeof *files);
        if (!files)
            abort();
    }
    files[nfiles++] = strdup(path);
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void on_crash(int sig)
{
    __llvm_profile_write_file();
    fprintf(stderr, "cov_driver: input %zu (%s) ended with signal %d\n", current, files[current], sig);
    _exit(3);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0)
            continue;
        if (!S_ISDIR(st.st_mode)) {
            add(argv[i]);
            continue;
        }
        DIR *d = opendir(argv[i]);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            char p[8192];
            snprintf(p, sizeof p, "%s/%s", argv[i], e->d_name);
            if (e->d_name[0] != '.' && stat(p, &st) == 0 && S_ISREG(st.st_mode))
                add(p);
        }
        if (d)
            closedir(d);
    }
    qsort(files, nfiles, sizeof *files, cmp);
    signal(SIGABRT, on_crash);
    signal(SIGSEGV, on_crash);
    signal(SIGFPE, on_crash);
    signal(SIGBUS, on_crash);
    const char *skip = getenv("CX_COV_SKIP");
    static uint8_t buf[1 << 22];
    for (current = skip ? strtoul(skip, NULL, 10) : 0; current < nfiles; current++) {
        FILE *f = fopen(files[current], "rb");
        if (!f)
            continue;
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, n);
    }
    fprintf(stderr, "cov_driver: %zu inputs\n", nfiles);
    return 0;
}
