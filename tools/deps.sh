# Sourced by the README commands: installs the Debian packages a step needs,
# running apt-get only when something is missing (as root, or through sudo).
cx_need() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# What building the library needs.
CX_BUILD_PACKAGES=(gcc libc6-dev meson ninja-build pkg-config libjansson-dev libsqlite3-dev libsodium-dev
  libstemmer-dev)  # Snowball stemmers of the text module (issue 17)
# What the test suite needs on top: Check, the ABI and header checks, docs, valgrind.
CX_TEST_PACKAGES=(check g++ binutils abigail-tools doxygen valgrind python3
  # the Python and Lua bindings and their tests (bindings/)
  swig python3-dev python3-pytest python3-numpy python3-pandas python3-mesonpy python3-pip tzdata
  # pip install . : Debian's meson-python 0.12 runs patchelf on the wheel; the test builds in a venv
  patchelf python3-venv
  python3-dask python3-distributed  # cxkit.dask and its test on a LocalCluster (test_dask)
  python3-matplotlib  # cxkit.plot, its tests and examples/python/cx_pandas.py (issue 13)
  lua5.4 liblua5.4-dev lua-busted
  # the locale test (tests/test_locale.c) runs under a comma-decimal LC_NUMERIC
  locales
  # the ThreadSanitizer runtime of gcc 12 (build-tsan, -Db_sanitize=thread)
  libtsan2
  # the report test (tests/report/check_report.py): headless Chromium, and fonts
  # for the Arabic report (Noto Naskh / Sans Arabic) and the rest (DejaVu)
  chromium fonts-noto-core fonts-dejavu-core
  # the Python reference (docs/python, Sphinx; the python-docs tests)
  python3-sphinx

  # the libFuzzer targets (tests/fuzz/): clang, its fuzzer and sanitizer runtimes,
  # and llvm-profdata / llvm-cov for the coverage report of tests/fuzz/long-run.sh
  clang libclang-rt-14-dev llvm)

CX_BENCH_PEER_PACKAGES=(cython3 g++ python3-venv r-base-core r-cran-survival)  # ChannelAttribution built from source (bench/README.md); R survival for bench/survival_bench.sh

# The comma-decimal locale tests/test_locale.c needs (de_DE.UTF-8), generated
# when missing (needs the locales package, root or sudo); without it the
# locale suite reports itself skipped.
cx_need_comma_locale() {
  locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$' && return 0
  cx_need locales
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  grep -q '^de_DE.UTF-8 UTF-8' /etc/locale.gen 2>/dev/null || echo 'de_DE.UTF-8 UTF-8' | $sudo tee -a /etc/locale.gen >/dev/null
  $sudo locale-gen de_DE.UTF-8 >/dev/null
}
