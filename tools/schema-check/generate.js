#!/usr/bin/env node
// Writes schema/net-sentinel.schema.json (JSON Schema 2020-12) and schema/net-sentinel-index-template.json
// (an Elasticsearch composable index template) from ONE table of the fields net-sentinel writes
// (docs/jsonl-schema.md explains each). Run after changing the table: node tools/schema-check/generate.js
'use strict';

const fs = require('fs');
const path = require('path');

const SCHEMA_VERSION = 2;

// [dotted path, Elasticsearch type, options]. Options: array (a list of values), enum (allowed values),
// required (on every line), integer literal vs float is the type (long vs double).
const FIELDS = [
  ['@timestamp', 'date', { required: true }],
  ['message', 'match_only_text', { required: true }],
  ['log.level', 'keyword', { required: true, enum: ['info', 'warning'] }],
  ['ecs.version', 'keyword', { required: true }],
  ['agent.name', 'keyword', { required: true }],
  ['agent.type', 'keyword', { required: true }],
  ['agent.version', 'keyword', { required: true }],

  ['event.kind', 'keyword', { required: true, enum: ['alert', 'event', 'metric', 'state'] }],
  ['event.id', 'keyword', { required: true }],
  ['event.action', 'keyword', { required: true }],
  ['event.category', 'keyword', { array: true, enum: ['network'] }],
  ['event.type', 'keyword', { array: true, enum: ['connection', 'start', 'end', 'info', 'protocol'] }],
  ['event.outcome', 'keyword', { enum: ['success', 'failure', 'unknown'] }],
  ['event.severity', 'long'],
  ['event.risk_score', 'float'],
  ['event.reason', 'keyword'],
  ['event.duration', 'long'],
  ['event.start', 'date'],
  ['event.end', 'date'],
  ['event.created', 'date', { required: true }],
  ['event.module', 'keyword', { required: true }],
  ['event.dataset', 'keyword', { required: true }],

  ['rule.name', 'keyword'],
  ['rule.id', 'keyword'],
  ['rule.ruleset', 'keyword'],
  ['rule.category', 'keyword'],
  ['rule.description', 'keyword'],
  ['rule.reference', 'keyword'],
  ['threat.framework', 'keyword'],
  ['threat.tactic.id', 'keyword', { array: true }],
  ['threat.tactic.name', 'keyword', { array: true }],
  ['threat.tactic.reference', 'keyword', { array: true }],
  ['threat.technique.id', 'keyword', { array: true }],
  ['threat.technique.name', 'keyword', { array: true }],
  ['threat.technique.reference', 'keyword', { array: true }],

  ['process.pid', 'long'],
  ['process.entity_id', 'keyword'],
  ['process.name', 'keyword'],
  ['process.executable', 'keyword'],
  ['process.command_line', 'wildcard'],
  ['process.args', 'keyword', { array: true }],
  ['process.args_count', 'long'],
  ['process.start', 'date'],
  ['process.parent.pid', 'long'],
  ['process.parent.entity_id', 'keyword'],
  ['process.parent.name', 'keyword'],
  ['process.parent.executable', 'keyword'],
  ['process.parent.command_line', 'wildcard'],
  ['process.parent.args', 'keyword', { array: true }],
  ['process.parent.args_count', 'long'],
  ['process.parent.start', 'date'],
  ['user.id', 'keyword'],
  ['user.name', 'keyword'],
  ['container.id', 'keyword'],
  ['container.runtime', 'keyword'],
  ['orchestrator.type', 'keyword'],
  ['orchestrator.resource.type', 'keyword'],
  ['orchestrator.resource.id', 'keyword'],

  ['source.ip', 'ip'],
  ['source.port', 'long'],
  ['source.bytes', 'long'],
  ['destination.ip', 'ip'],
  ['destination.port', 'long'],
  ['destination.bytes', 'long'],
  ['network.transport', 'keyword', { enum: ['tcp', 'udp'] }],
  ['network.iana_number', 'keyword', { enum: ['6', '17'] }],
  ['network.type', 'keyword', { enum: ['ipv4', 'ipv6'] }],
  ['network.direction', 'keyword', { enum: ['egress'] }],
  ['network.bytes', 'long'],
  ['network.community_id', 'keyword'],
  ['destination.domain', 'keyword'],
  ['destination.registered_domain', 'keyword'],
  ['dns.type', 'keyword', { enum: ['query', 'answer'] }],
  ['dns.id', 'keyword'],
  ['dns.question.name', 'keyword'],
  ['dns.question.type', 'keyword'],
  ['dns.question.class', 'keyword'],
  ['dns.question.registered_domain', 'keyword'],
  ['dns.response_code', 'keyword'],
  ['dns.answers.name', 'keyword', { inArray: 'dns.answers' }],
  ['dns.answers.type', 'keyword', { inArray: 'dns.answers' }],
  ['dns.answers.class', 'keyword', { inArray: 'dns.answers' }],
  ['dns.answers.ttl', 'long', { inArray: 'dns.answers' }],
  ['dns.answers.data', 'keyword', { inArray: 'dns.answers' }],
  ['dns.resolved_ip', 'ip', { array: true }],
  ['related.ip', 'ip', { array: true }],
  ['related.user', 'keyword', { array: true }],

  ['host.name', 'keyword', { required: true }],
  ['host.id', 'keyword'],
  ['host.ip', 'ip', { array: true }],
  ['host.os.type', 'keyword'],
  ['host.os.family', 'keyword'],
  ['host.os.platform', 'keyword'],
  ['host.os.name', 'keyword'],
  ['host.os.version', 'keyword'],
  ['host.os.full', 'keyword'],
  ['host.os.kernel', 'keyword'],

  ['net_sentinel.schema_version', 'long', { required: true, enum: [SCHEMA_VERSION] }],
  ['net_sentinel.source', 'keyword'],
  ['net_sentinel.attribution', 'keyword', { enum: ['kernel', 'proc', 'etw', 'ip_helper', 'unknown'] }],
  ['net_sentinel.connection_id', 'unsigned_long'],
  ['net_sentinel.failed', 'boolean'],
  ['net_sentinel.close_inferred', 'boolean'],
  ['net_sentinel.state', 'keyword'],
  ['net_sentinel.domains', 'keyword', { array: true }],
  ['net_sentinel.dns_truncated', 'boolean'],
  ['net_sentinel.lost', 'long'],
  ['net_sentinel.total_lost', 'long'],
  // output_lines_dropped: the output that lost lines (file, stdout, syslog)
  ['net_sentinel.output', 'keyword'],
  ['net_sentinel.lines_dropped', 'long'],
  ['net_sentinel.total_lines_dropped', 'long'],
  ['net_sentinel.value', 'double'],
  ['net_sentinel.threshold', 'double'],
  ['net_sentinel.unit', 'keyword'],
  ['net_sentinel.window_seconds', 'double'],
  ['net_sentinel.events_lost_in_window', 'long'],
  ['net_sentinel.baseline.samples_seen', 'long'],
  ['net_sentinel.baseline.samples_required', 'long'],
  ['net_sentinel.baseline.mature', 'boolean'],
  ['net_sentinel.host.bytes_sent_per_second', 'double'],
  ['net_sentinel.period_seconds', 'double'],
  ['net_sentinel.observations', 'long'],
  ['net_sentinel.targets', 'keyword', { array: true }],
  ['net_sentinel.window_bytes_sent', 'long'],
  ['net_sentinel.window_bytes_received', 'long'],
  // Incidents (docs/detectors.md): every alert line belongs to one; host-wide rarity on new_destination and beacon.
  ['net_sentinel.first_seen_on_host', 'boolean'],
  ['net_sentinel.incident.id', 'keyword'],
  ['net_sentinel.incident.phase', 'keyword', { enum: ['opened', 'updated', 'closed'] }],
  ['net_sentinel.incident.first_seen', 'date'],
  ['net_sentinel.incident.last_seen', 'date'],
  ['net_sentinel.incident.span_seconds', 'double'],
  ['net_sentinel.incident.alerts', 'long'],
  ['net_sentinel.incident.destinations', 'long'],
  ['net_sentinel.incident.folded.new_destination', 'long'],
  ['net_sentinel.incident.folded.many_connections', 'long'],
  ['net_sentinel.incident.absorbed', 'keyword', { array: true }],
  ['net_sentinel.process.executable_truncated', 'boolean'],
  ['net_sentinel.process.command_line_truncated', 'boolean'],
  ['net_sentinel.process.executable_device', 'unsigned_long'],
  ['net_sentinel.process.executable_inode', 'unsigned_long'],
  ['net_sentinel.process.cgroup', 'keyword'],
  ['net_sentinel.process.network_namespace', 'unsigned_long'],
  ['net_sentinel.process.pod_qos_class', 'keyword', { enum: ['guaranteed', 'burstable', 'besteffort'] }],
  ['net_sentinel.ancestry.pid', 'long', { inArray: 'net_sentinel.ancestry' }],
  ['net_sentinel.ancestry.entity_id', 'keyword', { inArray: 'net_sentinel.ancestry' }],
  ['net_sentinel.ancestry.name', 'keyword', { inArray: 'net_sentinel.ancestry' }],
  ['net_sentinel.ancestry.executable', 'keyword', { inArray: 'net_sentinel.ancestry' }],
  ['net_sentinel.ancestry.start', 'date', { inArray: 'net_sentinel.ancestry' }],
];

function jsonSchemaOf(type, options) {
  let leaf;
  switch (type) {
    case 'long': leaf = { type: 'integer' }; break;
    case 'unsigned_long': leaf = { type: 'integer', minimum: 0 }; break;
    case 'double': case 'float': leaf = { type: 'number' }; break;
    case 'boolean': leaf = { type: 'boolean' }; break;
    case 'ip': leaf = { $ref: '#/$defs/ip' }; break;
    case 'date': leaf = { $ref: '#/$defs/time' }; break;
    default: leaf = { type: 'string' };
  }
  if (options.enum) leaf = { ...leaf, enum: options.enum };
  return options.array ? { type: 'array', items: leaf } : leaf;
}

function objectNode() {
  return { type: 'object', additionalProperties: false, properties: {} };
}

const schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://net-sentinel.invalid/schema/net-sentinel.schema.json',
  title: `net-sentinel JSON line, schema version ${SCHEMA_VERSION}`,
  description: 'One line of net-sentinel\'s JSON Lines log (docs/jsonl-schema.md). Generated by tools/schema-check/generate.js.',
  ...objectNode(),
  required: [],
  $defs: {
    ip: { type: 'string', anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }] },
    time: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$' },
  },
};
const mappings = { dynamic: true, properties: {} };

for (const [field, type, options = {}] of FIELDS) {
  const parts = field.split('.');
  // JSON Schema: nested objects, every level closed to unknown fields.
  let node = schema;
  const requiredPath = [];
  for (let i = 0; i < parts.length - 1; i++) {
    const name = parts[i];
    const dotted = parts.slice(0, i + 1).join('.');
    if (options.inArray === dotted) {
      node.properties[name] ??= { type: 'array', items: objectNode() };
      node = node.properties[name].items;
    } else {
      node.properties[name] ??= objectNode();
      node = node.properties[name];
    }
    requiredPath.push(name);
  }
  node.properties[parts[parts.length - 1]] = jsonSchemaOf(type, options);
  if (options.required) {
    // Required on every line: require it at each level of its path.
    let level = schema;
    for (let i = 0; i < parts.length; i++) {
      level.required ??= [];
      if (!level.required.includes(parts[i])) level.required.push(parts[i]);
      level = level.properties[parts[i]];
    }
  }
  // Index template: properties tree; leaves typed explicitly so no first value decides a type.
  let properties = mappings.properties;
  for (let i = 0; i < parts.length - 1; i++) {
    properties[parts[i]] ??= { properties: {} };
    properties = properties[parts[i]].properties;
  }
  const leaf = { type };
  if (type === 'keyword') leaf.ignore_above = 1024;
  properties[parts[parts.length - 1]] = leaf;
}

const template = {
  index_patterns: ['net_sentinel*'],
  priority: 200,
  _meta: { description: 'net-sentinel JSON lines (docs/jsonl-schema.md); generated by tools/schema-check/generate.js', schema_version: SCHEMA_VERSION },
  template: {
    settings: { 'index.mapping.total_fields.limit': 2000 },
    mappings,
  },
};

const out = path.resolve(__dirname, '..', '..', 'schema');
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, 'net-sentinel.schema.json'), JSON.stringify(schema, null, 2) + '\n');
fs.writeFileSync(path.join(out, 'net-sentinel-index-template.json'), JSON.stringify(template, null, 2) + '\n');
console.log(`wrote ${FIELDS.length} fields to schema/net-sentinel.schema.json and schema/net-sentinel-index-template.json`);
