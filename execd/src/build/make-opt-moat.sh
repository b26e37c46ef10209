#!/usr/bin/env bash
# Lays out the runtime that is mounted read-only at /opt/moat in every sandbox:
#   runtime/   a jlink'd Java runtime with only the modules execd needs
#   execd.jar  execd and its dependencies
#   jvm.args   the JVM options execd runs with (a java @argfile)
#   execd.aot  an AOT cache trained on a real execd run, so execd answers /ping fast (relocatable: the JVM accepts
#              it wherever this directory is mounted, as long as the layout inside is the same)
#   tini       static tini, PID 1 of the sandbox
#   bin/execd  a launcher for running this layout on a host
set -euo pipefail
jar=$1
out=$2
jdk=${JAVA_HOME:?JAVA_HOME must point at a JDK 25}
modules=java.base,java.logging,jdk.unsupported

mkdir -p "$out/bin"

# jlink only when the JDK or the module list changed: it takes seconds and its output is stable.
runtime_id="$("$jdk/bin/java" -version 2>&1 | head -1) $modules"
if [ ! -x "$out/runtime/bin/java" ] || [ "$(cat "$out/runtime/.moat-id" 2>/dev/null)" != "$runtime_id" ]; then
  rm -rf "$out/runtime"
  "$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
    --output "$out/runtime"
  echo "$runtime_id" > "$out/runtime/.moat-id"
fi

cat > "$out/jvm.args" <<'ARGS'
-XX:+UseSerialGC
-Xms4m
-Xmx256m
-XX:TieredStopAtLevel=1
-XX:CICompilerCount=1
-XX:ReservedCodeCacheSize=16m
-Xss512k
-XX:TrimNativeHeapInterval=5000
-XX:-UsePerfData
--enable-native-access=ALL-UNNAMED
-XX:+UnlockDiagnosticVMOptions
-XX:ArchiveRelocationMode=0
-Dorg.eclipse.jetty.util.referencesPerCacheLine=16
-Dorg.slf4j.simpleLogger.defaultLogLevel=warn
ARGS

# Files that running sandboxes use are replaced by a rename, never rewritten in place: a rewrite fails on a running
# tini ("Text file busy") and pulls the jar from under running execds.
replace() { cp "$1" "$2.new" && mv -f "$2.new" "$2"; }

# The cache belongs to one jar, one set of JVM options and one way of training (this script): retrain when any changes.
cache_id="$(sha256sum "$jar" "$out/jvm.args" "$0" | sha256sum | cut -d' ' -f1)"
if ! cmp -s "$jar" "$out/execd.jar" || [ "$(cat "$out/.aot-id" 2>/dev/null)" != "$cache_id" ]; then
  replace "$jar" "$out/execd.jar"
  rm -f "$out/execd.aot"
fi

for candidate in /usr/bin/tini-static /usr/local/bin/tini-static; do
  if [ -x "$candidate" ]; then cmp -s "$candidate" "$out/tini" || replace "$candidate" "$out/tini"; break; fi
done
[ -x "$out/tini" ] || echo "make-opt-moat: static tini not found (apt-get install tini); sandboxes need it" >&2

cat > "$out/bin/execd" <<'LAUNCHER'
#!/bin/sh
# Runs execd from this layout on a host: ./bin/execd --socket PATH [--port N]
here=$(cd "$(dirname "$0")/.." && pwd)
aot=""
[ -f "$here/execd.aot" ] && aot="-XX:AOTCache=$here/execd.aot"
# a UTF-8 locale lets the JVM handle non-ASCII file names; keep the caller's when it has one
[ -n "${LC_ALL:-}${LC_CTYPE:-}${LANG:-}" ] || export LANG=C.UTF-8
exec env MALLOC_ARENA_MAX=2 "$here/runtime/bin/java" "@$here/jvm.args" $aot -jar "$here/execd.jar" "$@"
LAUNCHER
chmod +x "$out/bin/execd"

# Train the AOT cache on a real run: execd starts, serves a representative set of requests to itself, and exits.
if [ ! -f "$out/execd.aot" ]; then
  training=$(mktemp -d)
  # No method profiles in the cache (-AOTRecordTraining): execd's C1-only JIT (TieredStopAtLevel=1) never reads them,
  # and with them every start replays the training's compilations, which costs a sandbox (1 CPU) ~50 ms of CPU before
  # /ping and ~8 MB of idle PSS (./moat bench execd).
  if MALLOC_ARENA_MAX=2 "$out/runtime/bin/java" "@$out/jvm.args" -XX:AOTCacheOutput="$out/execd.aot" \
      -XX:+UnlockDiagnosticVMOptions -XX:-AOTRecordTraining \
      -cp "$out/execd.jar" dev.moat.execd.AotTraining "$training" >"$training.log" 2>&1; then
    :
  else
    echo "make-opt-moat: AOT training failed; execd will start without a cache. Log:" >&2
    cat "$training.log" >&2
    rm -f "$out/execd.aot"
  fi
  [ -f "$out/execd.aot" ] && echo "$cache_id" > "$out/.aot-id"
  rm -rf "$training" "$training.log"
fi
