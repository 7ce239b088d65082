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

{{/* herald.yml as the chart renders it from .Values.config. */}}
{{- define "herald.configYAML" -}}
{{- if .Values.config }}
{{- toYaml .Values.config }}
{{- else }}
{}
{{- end }}
{{- end }}

{{/* Checks that the schema cannot express. */}}
{{- define "herald.validate" -}}
{{- if gt (int .Values.replicas) 1 }}
{{- fail "replicas: Herald keeps its state in SQLite on one volume and runs as one pod; more than one replica needs the PostgreSQL mode (a later release)" }}
{{- end }}
{{- if and .Values.secretEnv (not .Values.existingSecret) }}
{{- fail "secretEnv: needs existingSecret, the Secret its keys come from" }}
{{- end }}
{{- $storage := (.Values.config | default dict).storage | default dict }}
{{- if and $storage.driver (ne $storage.driver "sqlite") }}
{{- fail (printf "config.storage.driver: %q is not supported by this chart; Herald supports only sqlite" $storage.driver) }}
{{- end }}
{{- end }}
