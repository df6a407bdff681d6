#!/usr/bin/env bash
# An installed hubspec works without the source tree (issue 12, item 4): `cmake --install` into a
# temporary prefix; the installed `hubspec` lists and runs the installed scenarios from another
# directory; a project built against the CMake package (examples/cmake-consumer) serves its own
# hub with hubspec::server and calls it with hubspec::client over every transport.
#   install_test.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
build=$1 source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

cmake --install "$build" --prefix "$work/prefix" >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "cmake --install"; exit 1; }
for f in bin/hubspec bin/hubspec-server bin/hubspec-client share/hubspec/scenarios/requirements.yaml \
         share/hubspec/scenarios/negotiate.yaml lib/cmake/hubspec/hubspecConfig.cmake include/hubspec/client/hub_connection.hpp; do
  [ -e "$work/prefix/$f" ] || fail "not installed: $f"
done

# From a directory that is not the source tree; a scenario added to the installed copy only
# shows that the installed scenarios are the ones read.
cat >"$work/prefix/share/hubspec/scenarios/installed.yaml" <<'YAML'
- id: installed.marker
  title: Only in the installed copy
  requires: [MSG-040]
  methods: [Echo]
  transports: [websockets]
  protocols: [json]
  steps:
    - connect: {as: a}
    - invoke: {as: a, method: Echo, args: [1], expect: 1}
YAML
mkdir -p "$work/elsewhere"
cd "$work/elsewhere"
env -u HUBSPEC_SCENARIOS "$work/prefix/bin/hubspec" list >"$work/list.txt" 2>&1 || fail "installed hubspec list: $(tail -3 "$work/list.txt")"
grep -q "^negotiate.v1-returns-distinct-token" "$work/list.txt" || fail "installed hubspec list does not show the catalogue"
grep -q "^installed.marker" "$work/list.txt" || fail "installed hubspec does not read PREFIX/share/hubspec/scenarios"
env -u HUBSPEC_SCENARIOS "$work/prefix/bin/hubspec" run --filter 'invocation.echo-returns-argument,installed.marker' --out "$work/out" \
  >"$work/run.log" 2>&1 || fail "installed hubspec run against its embedded server: $(tail -5 "$work/run.log")"
grep -q '"scenarios"' "$work/out/results.json" 2>/dev/null || fail "installed hubspec run wrote no results.json"
grep -q '"installed.marker"' "$work/out/results.json" || fail "the run did not use the installed scenarios"

cmake -S "$source/examples/cmake-consumer" -B "$work/consumer" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_PREFIX_PATH="$work/prefix" >"$work/consumer.log" 2>&1 \
  && cmake --build "$work/consumer" >>"$work/consumer.log" 2>&1 \
  || { tail -30 "$work/consumer.log"; fail "the consumer project did not build against the package"; }
if [ -x "$work/consumer/greeter" ]; then
  "$work/consumer/greeter" >"$work/greeter.txt" 2>&1 || fail "the consumer failed: $(cat "$work/greeter.txt")"
  [ "$(grep -c '^Hello, consumer!$' "$work/greeter.txt")" = 3 ] || fail "the consumer did not greet over 3 transports: $(cat "$work/greeter.txt")"
fi
[ $failures -eq 0 ] && echo "install: the installed hubspec and its CMake package work from $work/prefix"
exit $((failures > 0))
