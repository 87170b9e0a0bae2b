# Sourced by ./mvnw and ./mptcp4j: make JAVA_HOME point at a JDK 25 or newer.
# Order: JAVA_HOME if it is 25+, then the newest JDK 25+ under /usr/lib/jvm, then `java` on PATH.
# Stops with a message naming what to install when none is found.
mptcp4j_java_feature() { # prints the feature release of the java binary $1, or 0
  "$1" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -1 | grep . || echo 0
}
mptcp4j_find_java() {
  local want=25 cand v
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    v=$(mptcp4j_java_feature "$JAVA_HOME/bin/java")
    [ "$v" -ge "$want" ] && return 0
  fi
  for cand in $(find /usr/lib/jvm -mindepth 1 -maxdepth 1 2>/dev/null | sort -rV); do
    cand=${cand%/}
    [ -x "$cand/bin/javac" ] || continue
    v=$(mptcp4j_java_feature "$cand/bin/java")
    if [ "$v" -ge "$want" ]; then export JAVA_HOME="$cand"; return 0; fi
  done
  if command -v javac >/dev/null 2>&1; then
    cand=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    v=$(mptcp4j_java_feature "$cand/bin/java")
    if [ "$v" -ge "$want" ]; then export JAVA_HOME="$cand"; return 0; fi
  fi
  echo "mptcp4j needs a JDK $want or newer, and none was found (JAVA_HOME, /usr/lib/jvm, PATH)." >&2
  echo "Install one, e.g. 'apt-get install temurin-25-jdk' (Adoptium repository) or from https://adoptium.net," >&2
  echo "then set JAVA_HOME to it." >&2
  exit 1
}
mptcp4j_find_java
