{{/* Chart name, cut to the 63 characters a label value may have. */}}
{{- define "herald.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's objects. */}}
{{- define "herald.fullname" -}}
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

{{- define "herald.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels that select the pod; never change them in an upgrade (the
StatefulSet's selector is immutable). */}}
{{- define "herald.selectorLabels" -}}
app.kubernetes.io/name: {{ include "herald.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "herald.labels" -}}
helm.sh/chart: {{ include "herald.chart" . }}
{{ include "herald.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "herald.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "herald.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The ConfigMap that holds herald.yml: the user's or the chart's. */}}
{{- define "herald.configMapName" -}}
{{- default (include "herald.fullname" .) .Values.existingConfigMap }}
{{- end }}

{{/* herald.yml as the chart renders it from .Values.config; with
PostgreSQL the chart adds storage.driver and storage.dsn_file (the Secret's
key, mounted by the pod). */}}
{{- define "herald.configYAML" -}}
{{- $cfg := deepCopy (.Values.config | default dict) }}
{{- if eq (include "herald.storageDriver" .) "postgres" }}
{{- $storage := deepCopy ($cfg.storage | default dict) }}
{{- $_ := set $storage "driver" "postgres" }}
{{- $_ := set $storage "dsn_file" (include "herald.dsnFile" .) }}
{{- $_ := set $cfg "storage" $storage }}
{{- end }}
{{- if $cfg }}
{{- toYaml $cfg }}
{{- else }}
{}
{{- end }}
{{- end }}

{{/* sqlite or postgres: the chart's storage mode. */}}
{{- define "herald.storageDriver" -}}
{{- (.Values.storage | default dict).driver | default "sqlite" }}
{{- end }}

{{/* The Secret and key holding the PostgreSQL DSN. */}}
{{- define "herald.postgres" -}}
{{- $pg := (.Values.storage | default dict).postgres | default dict }}
{{- dict "secret" ($pg.existingSecret | default "") "key" ($pg.existingSecretKey | default "dsn") | toJson }}
{{- end }}

{{/* Where the pod sees the DSN: config.storage.dsn_file. */}}
{{- define "herald.dsnDir" -}}
/etc/herald/db
{{- end }}
{{- define "herald.dsnFile" -}}
{{- include "herald.dsnDir" . }}/dsn
{{- end }}

{{/* The number of pods: replicas when set; otherwise 1 with SQLite (one
volume, one pod) and 2 with PostgreSQL (one can go while the other takes
over). hasKey, not default: 0 is a valid count. */}}
{{- define "herald.replicas" -}}
{{- if and (hasKey .Values "replicas") (not (kindIs "invalid" .Values.replicas)) }}
{{- .Values.replicas | int }}
{{- else if eq (include "herald.storageDriver" .) "postgres" }}
{{- 2 }}
{{- else }}
{{- 1 }}
{{- end }}
{{- end }}

{{/* Checks that the schema cannot express. */}}
{{- define "herald.validate" -}}
{{- $driver := include "herald.storageDriver" . }}
{{- $replicas := include "herald.replicas" . | int }}
{{- if and (eq $driver "sqlite") (gt $replicas 1) }}
{{- fail (printf "replicas: %d with storage.driver sqlite; SQLite keeps Herald's state on one volume, so it runs as one pod. Run several replicas with storage.driver: postgres and storage.postgres.existingSecret (docs/replicas.md), or set replicas: 1" $replicas) }}
{{- end }}
{{- if and (eq $driver "postgres") (not (include "herald.postgres" . | fromJson).secret) }}
{{- fail "storage.postgres.existingSecret: storage.driver postgres needs the name of a Secret whose key storage.postgres.existingSecretKey (default dsn) holds the database's DSN, e.g. kubectl create secret generic herald-db --from-literal=dsn='postgres://herald:PASSWORD@db.example:5432/herald?sslmode=require' (docs/replicas.md)" }}
{{- end }}
{{- if and .Values.secretEnv (not .Values.existingSecret) }}
{{- fail "secretEnv: needs existingSecret, the Secret its keys come from" }}
{{- end }}
{{- $storage := (.Values.config | default dict).storage | default dict }}
{{- if and $storage.driver (ne $storage.driver $driver) }}
{{- fail (printf "config.storage.driver: %q, but storage.driver is %q; set storage.driver (the chart renders a StatefulSet for sqlite and a Deployment for postgres) and leave config.storage.driver out" $storage.driver $driver) }}
{{- end }}
{{- if eq $driver "postgres" }}
{{- range $key := list "dsn" "dsn_file" }}
{{- if hasKey $storage $key }}
{{- fail (printf "config.storage.%s: with storage.driver postgres the chart sets storage.dsn_file to the key of storage.postgres.existingSecret; remove config.storage.%s (a DSN in config would end up in a ConfigMap)" $key $key) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
