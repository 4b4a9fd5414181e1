{{/*
Names and labels, as every chart has them (63 characters: DNS label limit).
*/}}
{{- define "nullroom.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "nullroom.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "nullroom.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object. */}}
{{- define "nullroom.labels" -}}
app.kubernetes.io/name: {{ include "nullroom.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{ include "nullroom.commonLabels" . }}
{{- end }}

{{/* The labels that are not selectors (pod templates add these to their selector labels). */}}
{{- define "nullroom.commonLabels" -}}
helm.sh/chart: {{ include "nullroom.chart" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: nullroom
{{- end }}

{{/* Selector of the relay pods (immutable once installed: keep it small). */}}
{{- define "nullroom.selectorLabels" -}}
app.kubernetes.io/name: {{ include "nullroom.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: relay
{{- end }}

{{/* Selector of the chart's Redis pod. */}}
{{- define "nullroom.redis.selectorLabels" -}}
app.kubernetes.io/name: {{ include "nullroom.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: redis
{{- end }}

{{- define "nullroom.redis.fullname" -}}
{{- printf "%s-redis" (include "nullroom.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "nullroom.internalServiceName" -}}
{{- printf "%s-internal" (include "nullroom.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "nullroom.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "nullroom.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "nullroom.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/* Name of the Secret the pods read: existingSecret, or the one the chart creates. */}}
{{- define "nullroom.secretName" -}}
{{- default (include "nullroom.fullname" .) .Values.existingSecret }}
{{- end }}

{{/*
Cluster mode: a room directory is configured. "true" or "" (templates compare with `if`).
*/}}
{{- define "nullroom.clusterMode" -}}
{{- if or .Values.redis.enabled .Values.externalRedis.url .Values.externalRedis.existingSecret }}true{{ end }}
{{- end }}

{{/*
TURN_URLS as a comma-separated string: calls.turn.urls, or the chart's coturn at
coturn.publicHost (UDP first, TCP for networks that block UDP), or "" (no STUN/TURN at all).
*/}}
{{- define "nullroom.turnUrls" -}}
{{- $v := .Values }}
{{- if $v.calls.turn.urls }}
{{- join "," $v.calls.turn.urls }}
{{- else if and $v.coturn.enabled $v.coturn.publicHost }}
{{- printf "turn:%s:%d?transport=udp,turn:%s:%d?transport=tcp" $v.coturn.publicHost (int $v.coturn.port) $v.coturn.publicHost (int $v.coturn.port) }}
{{- end }}
{{- end }}

{{/* A TURN server is configured (a turn: or turns: URL): the relay needs TURN_SECRET. */}}
{{- define "nullroom.turnEnabled" -}}
{{- if regexMatch "(^|,)turns?:" (include "nullroom.turnUrls" .) }}true{{ end }}
{{- end }}

{{- define "nullroom.coturn.fullname" -}}
{{- printf "%s-coturn" (include "nullroom.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector of the chart's coturn pods. */}}
{{- define "nullroom.coturn.selectorLabels" -}}
app.kubernetes.io/name: {{ include "nullroom.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: coturn
{{- end }}

{{/* The port /metrics is served on: METRICS_PORT when set, else the internal port. */}}
{{- define "nullroom.metricsPortName" -}}
{{- if .Values.metrics.port }}metrics{{ else }}internal{{ end }}
{{- end }}

{{/*
Seconds a drain can take once SIGTERM arrives, plus the preStop sleep before it: the floor of
terminationGracePeriodSeconds. Worst case the phases run one after the other: grace (unready,
still serving), waiting for members to close after the 1012, then the cluster handover of the
emptied rooms to their successor pods.
*/}}
{{- define "nullroom.drainSeconds" -}}
{{- $d := .Values.drain }}
{{- $ms := add $d.graceMs $d.timeoutMs $d.handoffMs }}
{{- add $d.preStopSleepSeconds (div (add $ms 999) 1000) }}
{{- end }}

{{- define "nullroom.terminationGracePeriodSeconds" -}}
{{- if kindIs "invalid" .Values.terminationGracePeriodSeconds }}
{{- add (include "nullroom.drainSeconds" . | atoi) 10 }}
{{- else }}
{{- .Values.terminationGracePeriodSeconds }}
{{- end }}
{{- end }}

{{/*
A generated secret value that survives upgrades: read back from the release's Secret when it
exists (lookup answers nothing under `helm template` and `--dry-run`, so those render a fresh
one). Arguments: (dict "ctx" $ "key" "CLUSTER_SECRET"). Returns the base64 value for `data:`.
*/}}
{{- define "nullroom.generatedSecret" -}}
{{- $ctx := .ctx }}
{{- $existing := lookup "v1" "Secret" $ctx.Release.Namespace (include "nullroom.fullname" $ctx) }}
{{- if and $existing $existing.data (hasKey $existing.data .key) }}
{{- index $existing.data .key }}
{{- else }}
{{- randAlphaNum 48 | b64enc }}
{{- end }}
{{- end }}

{{/*
Environment variables the chart sets itself: refused in `config`, where they would be
overridden or would leak a secret into a ConfigMap.
*/}}
{{- define "nullroom.managedEnv" -}}
{{- list "PORT" "INTERNAL_PORT" "INTERNAL_HOST" "POD_NAME" "POD_IP" "POD_ADDRESS" "REDIS_URL" "REDIS_PASSWORD" "CLUSTER_SECRET" "ANOCHAT_API_KEY" "ANOCHAT_ADMIN_KEY" "TURNSTILE_SECRET_KEY" "LOGGING" "TRUST_PROXY" "REQUIRE_WS_API_KEY" "TURNSTILE" "TURNSTILE_SITE_KEY" "MAX_ROOMS" "MAX_CONNECTIONS" "METRICS" "METRICS_PORT" "DRAIN_GRACE_MS" "DRAIN_TIMEOUT_MS" "DRAIN_HANDOFF_MS" "DRAIN_RECONNECT_JITTER_MS" "REDIS_KEY_PREFIX" "DIRECTORY_TTL_MS" "DIRECTORY_REFRESH_MS" "CLUSTER_REQUEST_TIMEOUT_MS" "CALL_MAX_PARTICIPANTS" "TURN_URLS" "TURN_SECRET" "TURN_TTL_S" | toJson }}
{{- end }}

{{/*
Which value sets the chart refuses to render, with the reason. Included by deployment.yaml, so
`helm install`, `helm template` and `helm lint` all stop on the same message.
*/}}
{{- define "nullroom.validate" -}}
{{- $v := .Values }}
{{- $cluster := include "nullroom.clusterMode" . }}
{{- $externalRedis := or $v.externalRedis.url $v.externalRedis.existingSecret }}
{{- if and $v.redis.enabled $externalRedis }}
{{- fail "redis.enabled and externalRedis are both set: choose one room directory" }}
{{- end }}
{{- if and $v.externalRedis.url $v.externalRedis.existingSecret }}
{{- fail "externalRedis.url and externalRedis.existingSecret are both set: choose one" }}
{{- end }}
{{- if and (gt (int $v.replicaCount) 1) (not $cluster) (not $v.autoscaling.enabled) (not $v.keda.enabled) }}
{{- fail (printf "replicaCount is %d but no room directory is configured: set redis.enabled=true or externalRedis.url (more than one pod needs Redis)" (int $v.replicaCount)) }}
{{- end }}
{{- if and $v.autoscaling.enabled (not $cluster) }}
{{- fail "autoscaling.enabled needs a room directory: set redis.enabled=true or externalRedis.url" }}
{{- end }}
{{- if and $v.keda.enabled (not $cluster) }}
{{- fail "keda.enabled needs a room directory: set redis.enabled=true or externalRedis.url" }}
{{- end }}
{{- if and $v.autoscaling.enabled $v.keda.enabled }}
{{- fail "autoscaling.enabled and keda.enabled are both set: KEDA manages its own HPA, choose one" }}
{{- end }}
{{- if and $v.keda.enabled (not $v.keda.triggers) }}
{{- fail "keda.enabled needs keda.triggers" }}
{{- end }}
{{- if and $v.autoscaling.enabled (gt (int $v.autoscaling.minReplicas) (int $v.autoscaling.maxReplicas)) }}
{{- fail "autoscaling.minReplicas is larger than autoscaling.maxReplicas" }}
{{- end }}
{{- if and $v.autoscaling.enabled (kindIs "invalid" $v.autoscaling.targetCPUUtilizationPercentage) (kindIs "invalid" $v.autoscaling.targetMemoryUtilizationPercentage) }}
{{- fail "autoscaling.enabled needs targetCPUUtilizationPercentage or targetMemoryUtilizationPercentage" }}
{{- end }}
{{- if eq (int $v.ports.http) (int $v.ports.internal) }}
{{- fail "ports.http and ports.internal must differ" }}
{{- end }}
{{- if and $v.metrics.port (or (eq (int $v.metrics.port) (int $v.ports.http)) (eq (int $v.metrics.port) (int $v.ports.internal))) }}
{{- fail "metrics.port must differ from ports.http and ports.internal (0 = serve /metrics on the internal port)" }}
{{- end }}
{{- if $v.existingSecret }}
{{- if or $v.auth.apiKey $v.auth.adminKey $v.turnstile.secretKey $v.cluster.secret $v.redis.auth.password $v.calls.turn.secret }}
{{- fail "existingSecret is set: auth.apiKey, auth.adminKey, turnstile.secretKey, cluster.secret, redis.auth.password and calls.turn.secret must be empty (put them in the existing Secret)" }}
{{- end }}
{{- if $v.externalRedis.url }}
{{- fail "existingSecret is set, so the chart creates no Secret for externalRedis.url: put REDIS_URL in a Secret and set externalRedis.existingSecret" }}
{{- end }}
{{- else }}
{{- if and $v.cluster.secret (lt (len $v.cluster.secret) 16) }}
{{- fail "cluster.secret must be at least 16 bytes (empty = generated)" }}
{{- end }}
{{- if and $v.turnstile.enabled (not $v.turnstile.secretKey) }}
{{- fail "turnstile.enabled needs turnstile.secretKey (or existingSecret with TURNSTILE_SECRET_KEY)" }}
{{- end }}
{{- if and $v.auth.requireWsApiKey (not $v.auth.apiKey) }}
{{- fail "auth.requireWsApiKey needs auth.apiKey (or existingSecret with ANOCHAT_API_KEY)" }}
{{- end }}
{{- if and (include "nullroom.turnEnabled" .) (not $v.calls.turn.secret) (not $v.coturn.enabled) }}
{{- fail "calls.turn.urls names a TURN server: set calls.turn.secret (its static-auth-secret) or existingSecret with TURN_SECRET" }}
{{- end }}
{{- if and $v.calls.turn.secret (lt (len $v.calls.turn.secret) 16) }}
{{- fail "calls.turn.secret must be at least 16 bytes" }}
{{- end }}
{{- end }}
{{- if and $v.calls.turn.secret (not (include "nullroom.turnEnabled" .)) }}
{{- fail "calls.turn.secret is set but no TURN server is: set calls.turn.urls or coturn.enabled" }}
{{- end }}
{{- if and $v.coturn.enabled (not $v.coturn.publicHost) (not $v.calls.turn.urls) }}
{{- fail "coturn.enabled needs coturn.publicHost: the host name or address clients reach the TURN server at" }}
{{- end }}
{{- if and $v.coturn.enabled (gt (int $v.coturn.minPort) (int $v.coturn.maxPort)) }}
{{- fail "coturn.minPort is larger than coturn.maxPort" }}
{{- end }}
{{- if and $v.externalRedis.url (not (regexMatch "^rediss?://" $v.externalRedis.url)) }}
{{- fail "externalRedis.url must start with redis:// or rediss://" }}
{{- end }}
{{- if gt (mul 2 (int $v.cluster.directoryRefreshMs)) (int $v.cluster.directoryTtlMs) }}
{{- fail "cluster.directoryRefreshMs must be at most half of cluster.directoryTtlMs" }}
{{- end }}
{{- $managed := include "nullroom.managedEnv" . | fromJsonArray }}
{{- range $name, $_ := $v.config }}
{{- if has $name $managed }}
{{- fail (printf "config.%s is set by the chart: use its typed value or secret instead (see values.yaml)" $name) }}
{{- end }}
{{- end }}
{{- if not (kindIs "invalid" $v.terminationGracePeriodSeconds) }}
{{- $need := include "nullroom.drainSeconds" . | atoi }}
{{- if lt (int $v.terminationGracePeriodSeconds) $need }}
{{- fail (printf "terminationGracePeriodSeconds (%d) is shorter than a drain: preStopSleepSeconds + (graceMs + timeoutMs + handoffMs) / 1000 = %d s; Kubernetes would kill pods mid-drain" (int $v.terminationGracePeriodSeconds) $need) }}
{{- end }}
{{- end }}
{{- if has $v.routing.mode (list "envoyGateway" "istio") }}
{{- if and (or (eq $v.routing.mode "envoyGateway") $v.routing.istio.httpRoute) (not $v.routing.httpRoute.parentRefs) }}
{{- fail (printf "routing.mode=%s needs routing.httpRoute.parentRefs (the Gateway to attach to), or routing.mode=none" $v.routing.mode) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
A value as an environment variable string, quoted. Helm reads every YAML number as a float, and
`toString` would print 14400000 as "1.44e+07": whole numbers are printed as integers.
*/}}
{{- define "nullroom.envValue" -}}
{{- if and (kindIs "float64" .) (eq (float64 (int64 .)) .) }}
{{- int64 . | toString | quote }}
{{- else }}
{{- toString . | quote }}
{{- end }}
{{- end }}
