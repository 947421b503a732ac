# shellcheck shell=dash
# Helpers for the services' shell CGI handlers, sourced as /usr/local/lib/platform/http.sh.
# busybox httpd passes the request in the CGI environment (QUERY_STRING, REQUEST_METHOD) and sends
# the script's output as the response.

# respond STATUS BODY: a complete JSON response. busybox httpd does not translate a `Status:` header,
# so the script writes the status line itself.
respond() {
  printf 'HTTP/1.1 %s\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n\r\n%s\n' "$1" "$2"
}

# json_str VALUE: VALUE as a JSON string (\ and " escaped, newlines as \n, other control characters dropped).
json_str() {
  printf '"%s"' "$(printf '%s' "$1" | tr -d '\000-\011\013-\037' | sed 's/\\/\\\\/g; s/"/\\"/g' |
    awk 'NR > 1 { printf "\\n" } { printf "%s", $0 }')"
}

# query_param NAME: the URL-decoded value of NAME in QUERY_STRING (empty when absent).
query_param() {
  local IFS='&' kv
  for kv in ${QUERY_STRING:-}; do
    case $kv in "$1="*) httpd -d "${kv#*=}"; return 0 ;; esac
  done
}

# count GLOB...: how many of the expanded paths exist (0 when the glob matched nothing).
count() {
  local n=0 f
  for f in "$@"; do [ -e "$f" ] && n=$((n + 1)); done
  echo "$n"
}
