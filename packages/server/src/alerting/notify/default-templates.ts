// Vigil's default notification templates. The names and the data they read are Alertmanager's
// (so user templates that call `{{ template "slack.default.title" . }}` or `__subject` keep
// working); the wording and markup are Vigil's own.
export const DEFAULT_TEMPLATES = String.raw`
{{ define "__alertmanager" }}Vigil{{ end }}
{{ define "__alertmanagerURL" }}{{ .ExternalURL }}/#/alerts?receiver={{ .Receiver | urlquery }}{{ end }}

{{ define "__subject" }}[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .GroupLabels.SortedPairs.Values | join " " }} {{ if gt (len .CommonLabels) (len .GroupLabels) }}({{ with .CommonLabels.Remove .GroupLabels.Names }}{{ .Values | join " " }}{{ end }}){{ end }}{{ end }}
{{ define "__description" }}{{ end }}

{{ define "__text_alert_list" }}{{ range . }}Labels:
{{ range .Labels.SortedPairs }} - {{ .Name }} = {{ .Value }}
{{ end }}Annotations:
{{ range .Annotations.SortedPairs }} - {{ .Name }} = {{ .Value }}
{{ end }}Source: {{ .GeneratorURL }}
{{ end }}{{ end }}

{{ define "__text_summary" }}{{ if gt (len .Alerts.Firing) 0 }}Firing ({{ .Alerts.Firing | len }}):
{{ template "__text_alert_list" .Alerts.Firing }}{{ end }}{{ if gt (len .Alerts.Resolved) 0 }}Resolved ({{ .Alerts.Resolved | len }}):
{{ template "__text_alert_list" .Alerts.Resolved }}{{ end }}{{ end }}

{{ define "slack.default.title" }}{{ template "__subject" . }}{{ end }}
{{ define "slack.default.username" }}{{ template "__alertmanager" . }}{{ end }}
{{ define "slack.default.fallback" }}{{ template "slack.default.title" . }} | {{ template "slack.default.titlelink" . }}{{ end }}
{{ define "slack.default.callbackid" }}{{ end }}
{{ define "slack.default.pretext" }}{{ end }}
{{ define "slack.default.titlelink" }}{{ template "__alertmanagerURL" . }}{{ end }}
{{ define "slack.default.iconemoji" }}{{ end }}
{{ define "slack.default.iconurl" }}{{ end }}
{{ define "slack.default.text" }}{{ range .Alerts }}*{{ .Status | toUpper }}* {{ with .Annotations.summary }}{{ . }}{{ else }}{{ .Labels.alertname }}{{ end }}
{{ end }}{{ end }}
{{ define "slack.default.footer" }}{{ end }}

{{ define "email.default.subject" }}{{ template "__subject" . }}{{ end }}
{{ define "email.default.html" }}<!DOCTYPE html>
<html>
<head>
<meta name="viewport" content="width=device-width">
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<title>{{ template "__subject" . }}</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; font-size: 14px; color: #222; background: #f4f4f6; margin: 0; padding: 16px; }
.card { background: #fff; border-radius: 6px; max-width: 640px; margin: 0 auto; overflow: hidden; }
.head { padding: 14px 18px; color: #fff; font-size: 16px; }
.firing { background: #c0392b; } .resolved { background: #27ae60; }
.body { padding: 12px 18px; }
.alert { border-top: 1px solid #e5e5e5; padding: 10px 0; }
.kv { color: #555; font-family: monospace; font-size: 12px; }
a.btn { display: inline-block; margin: 8px 0; padding: 6px 12px; border-radius: 4px; background: #34495e; color: #fff; text-decoration: none; }
</style>
</head>
<body>
<div class="card">
<div class="head {{ .Status }}">{{ .Alerts | len }} alert{{ if gt (len .Alerts) 1 }}s{{ end }} for {{ range .GroupLabels.SortedPairs }}{{ .Name }}={{ .Value }} {{ end }}</div>
<div class="body">
<a class="btn" href="{{ template "__alertmanagerURL" . }}">Open in {{ template "__alertmanager" . }}</a>
{{ if gt (len .Alerts.Firing) 0 }}<h3>Firing</h3>
{{ range .Alerts.Firing }}<div class="alert">
<strong>{{ .Labels.alertname }}</strong>{{ with .Annotations.summary }} &mdash; {{ . }}{{ end }}<br>
{{ with .Annotations.description }}{{ . }}<br>{{ end }}
<span class="kv">{{ range .Labels.SortedPairs }}{{ .Name }}={{ .Value }} {{ end }}</span><br>
<span class="kv">since {{ .StartsAt.Format "2006-01-02 15:04:05 MST" }}</span>
{{ if .GeneratorURL }}<br><a href="{{ .GeneratorURL }}">Source</a>{{ end }}
</div>
{{ end }}{{ end }}{{ if gt (len .Alerts.Resolved) 0 }}<h3>Resolved</h3>
{{ range .Alerts.Resolved }}<div class="alert">
<strong>{{ .Labels.alertname }}</strong>{{ with .Annotations.summary }} &mdash; {{ . }}{{ end }}<br>
<span class="kv">{{ range .Labels.SortedPairs }}{{ .Name }}={{ .Value }} {{ end }}</span><br>
<span class="kv">{{ .StartsAt.Format "2006-01-02 15:04:05 MST" }} to {{ .EndsAt.Format "2006-01-02 15:04:05 MST" }}</span>
</div>
{{ end }}{{ end }}
</div>
</div>
</body>
</html>
{{ end }}
{{ define "email.default.text" }}{{ template "__subject" . }}

{{ template "__text_summary" . }}{{ end }}

{{ define "wechat.default.message" }}{{ template "__subject" . }}
{{ template "__text_summary" . }}{{ end }}
{{ define "wechat.default.to_user" }}@all{{ end }}
{{ define "wechat.default.to_party" }}{{ end }}
{{ define "wechat.default.to_tag" }}{{ end }}
{{ define "wechat.default.agent_id" }}{{ end }}

{{ define "__markdown_alert_list" }}{{ range . }}- **{{ .Labels.alertname }}**{{ with .Annotations.summary }}: {{ . }}{{ end }}
{{ range .Labels.SortedPairs }}{{ if ne .Name "alertname" }}  > {{ .Name }}: {{ .Value }}
{{ end }}{{ end }}{{ end }}{{ end }}

{{ define "dingtalk.default.title" }}{{ template "__subject" . }}{{ end }}
{{ define "dingtalk.default.message" }}### {{ template "__subject" . }}
{{ if gt (len .Alerts.Firing) 0 }}
**Firing**

{{ template "__markdown_alert_list" .Alerts.Firing }}{{ end }}{{ if gt (len .Alerts.Resolved) 0 }}
**Resolved**

{{ template "__markdown_alert_list" .Alerts.Resolved }}{{ end }}{{ end }}

{{ define "http_sender.default.body" }}{"status":{{ .Status | toJson }},"receiver":{{ .Receiver | toJson }},"text":{{ printf "[%s:%d] %s" (toUpper .Status) (len .Alerts.Firing) (.GroupLabels.Values | join " ") | toJson }},"groupLabels":{{ .GroupLabels | toJson }},"commonLabels":{{ .CommonLabels | toJson }},"commonAnnotations":{{ .CommonAnnotations | toJson }}}{{ end }}

{{ define "wecom.default.message" }}{{ template "dingtalk.default.message" . }}{{ end }}
`;
