{{/* The pod, shared by the StatefulSet (sqlite) and the Deployment
(postgres). */}}
{{- define "herald.podTemplate" -}}
{{- $postgres := eq (include "herald.storageDriver" .) "postgres" -}}
metadata:
  labels:
    {{- include "herald.labels" . | nindent 4 }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    {{- if not .Values.existingConfigMap }}
    # A changed configuration rolls the pod.
    checksum/config: {{ include "herald.configYAML" . | sha256sum }}
    {{- end }}
    {{- with .Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "herald.serviceAccountName" . }}
  automountServiceAccountToken: {{ .Values.serviceAccount.automountServiceAccountToken }}
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
  securityContext:
    {{- toYaml .Values.podSecurityContext | nindent 4 }}
  containers:
    - name: herald
      image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      args:
        - serve
        - --config=/etc/herald/config/herald.yml
        {{- range .Values.extraArgs }}
        - {{ . | quote }}
        {{- end }}
      {{- if or .Values.env .Values.secretEnv }}
      env:
        {{- range .Values.env }}
        - name: {{ .name }}
          value: {{ .value | quote }}
        {{- end }}
        {{- range .Values.secretEnv }}
        - name: {{ .name }}
          valueFrom:
            secretKeyRef:
              name: {{ $.Values.existingSecret }}
              key: {{ .key }}
        {{- end }}
      {{- end }}
      ports:
        - name: http
          containerPort: {{ .Values.service.port }}
          protocol: TCP
      # Liveness: the process answers. Readiness: it can also read and
      # write its database, so a replica cut off from PostgreSQL leaves the
      # Service and Alertmanager's webhooks go to the others.
      livenessProbe:
        httpGet:
          path: /-/healthy
          port: http
        {{- toYaml .Values.livenessProbe | nindent 8 }}
      readinessProbe:
        httpGet:
          path: /-/ready
          port: http
        {{- toYaml .Values.readinessProbe | nindent 8 }}
      resources:
        {{- toYaml .Values.resources | nindent 8 }}
      securityContext:
        {{- toYaml .Values.securityContext | nindent 8 }}
      volumeMounts:
        # A directory, not a subPath, so that an edited existingConfigMap
        # reaches the pod and POST /-/reload can pick it up.
        - name: config
          mountPath: /etc/herald/config
          readOnly: true
        - name: data
          mountPath: {{ .Values.persistence.mountPath }}
        - name: tmp
          mountPath: /tmp
        {{- if .Values.existingSecret }}
        - name: secrets
          mountPath: {{ .Values.secretMountPath }}
          readOnly: true
        {{- end }}
        {{- if $postgres }}
        - name: db
          mountPath: {{ include "herald.dsnDir" . }}
          readOnly: true
        {{- end }}
  volumes:
    - name: config
      configMap:
        name: {{ include "herald.configMapName" . }}
        items:
          - key: herald.yml
            path: herald.yml
    - name: tmp
      emptyDir:
        sizeLimit: 64Mi
    {{- if .Values.existingSecret }}
    - name: secrets
      secret:
        secretName: {{ .Values.existingSecret }}
        defaultMode: 0440
    {{- end }}
    {{- if $postgres }}
    {{- $pg := include "herald.postgres" . | fromJson }}
    # Only the DSN's key, as the file config.storage.dsn_file names.
    - name: db
      secret:
        secretName: {{ $pg.secret }}
        defaultMode: 0440
        items:
          - key: {{ $pg.key }}
            path: dsn
    # The database is PostgreSQL; data_dir keeps only the chart image cache.
    - name: data
      emptyDir: {}
    {{- else if not .Values.persistence.enabled }}
    - name: data
      emptyDir: {}
    {{- end }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if .Values.affinity }}
  affinity:
    {{- toYaml .Values.affinity | nindent 4 }}
  {{- else if $postgres }}
  # Replicas on different nodes, when there are enough, so that losing a
  # node leaves one to take the leases over.
  affinity:
    podAntiAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 100
          podAffinityTerm:
            topologyKey: kubernetes.io/hostname
            labelSelector:
              matchLabels:
                {{- include "herald.selectorLabels" . | nindent 16 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
