#!/usr/bin/env node
// Checks net-sentinel JSON lines three ways and prints every violation:
//   ecs       every field outside net_sentinel.* is an ECS 8.11 field (the @elastic/ecs package's definitions),
//             with a value of its type, allowed values where ECS lists them, and event.type values ECS expects
//             for the line's event.category;
//   schema    the line validates against schema/net-sentinel.schema.json (JSON Schema 2020-12);
//   template  every leaf is mapped by schema/net-sentinel-index-template.json with a type its value fits, and
//             fractional figures are written as floats (never a bare integer literal).
// Usage: node check.js FILE.jsonl...   Exit 0 when there are no violations, 1 otherwise, 2 on bad usage.
'use strict';

const fs = require('fs');
const net = require('net');
const path = require('path');
const { EcsFlat } = require('@elastic/ecs/build/commonjs/ecs_flat.js');
const Ajv2020 = require('ajv/dist/2020');
const addFormats = require('ajv-formats');

const repo = path.resolve(__dirname, '..', '..');
const schema = JSON.parse(fs.readFileSync(path.join(repo, 'schema', 'net-sentinel.schema.json'), 'utf8'));
const template = JSON.parse(fs.readFileSync(path.join(repo, 'schema', 'net-sentinel-index-template.json'), 'utf8'));

const OWN = 'net_sentinel';
const INTEGER_TYPES = new Set(['long', 'integer', 'short', 'byte', 'unsigned_long']);
const FLOAT_TYPES = new Set(['float', 'double', 'half_float', 'scaled_float']);
const STRING_TYPES = new Set(['keyword', 'constant_keyword', 'wildcard', 'text', 'match_only_text']);

// Leaves of a line: dotted path -> value (arrays of scalars stay arrays; arrays of objects are walked per element).
function leaves(value, prefix, out) {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) leaves(child, prefix ? `${prefix}.${key}` : key, out);
  } else if (Array.isArray(value) && value.length === 0) {
    // An empty list indexes as nothing: no leaf to check.
  } else if (Array.isArray(value) && value.some(v => v !== null && typeof v === 'object')) {
    for (const element of value) leaves(element, prefix, out);
  } else {
    out.push([prefix, value]);
  }
  return out;
}

function fitsType(type, value) {
  const values = Array.isArray(value) ? value : [value];
  return values.every(v => {
    if (STRING_TYPES.has(type)) return typeof v === 'string';
    if (INTEGER_TYPES.has(type)) return Number.isInteger(v);
    if (FLOAT_TYPES.has(type)) return typeof v === 'number';
    if (type === 'boolean') return typeof v === 'boolean';
    if (type === 'ip') return typeof v === 'string' && net.isIP(v) !== 0;
    if (type === 'date') return typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(v) && !Number.isNaN(Date.parse(v));
    if (type === 'object' || type === 'flattened' || type === 'nested') return true;
    return false;
  });
}

function describe(value) {
  return JSON.stringify(value).slice(0, 80);
}

// --- ECS ---------------------------------------------------------------------------------------------------
const categoryTypes = new Map((EcsFlat['event.category'].allowed_values || []).map(v => [v.name, new Set(v.expected_event_types || [])]));

function ecsViolations(line) {
  const found = [];
  for (const [field, value] of leaves(line, '', [])) {
    if (field === OWN || field.startsWith(`${OWN}.`)) continue;
    let definition = EcsFlat[field];
    if (!definition) {
      const parent = Object.keys(EcsFlat).find(k => field.startsWith(`${k}.`) && ['object', 'flattened', 'nested'].includes(EcsFlat[k].type));
      if (parent) continue;
      found.push(`${field}: not an ECS ${EcsFlat['ecs.version'] ? '8.11' : ''} field (put own fields under ${OWN}.*)`);
      continue;
    }
    if (Array.isArray(value) && !(definition.normalize || []).includes('array')) {
      found.push(`${field}: an array, but ECS defines a single ${definition.type}`);
    }
    if (!fitsType(definition.type, value)) {
      found.push(`${field}: ${describe(value)} is not a valid ${definition.type}`);
    }
    if (definition.allowed_values) {
      const allowed = new Set(definition.allowed_values.map(v => v.name));
      for (const v of Array.isArray(value) ? value : [value]) {
        if (!allowed.has(v)) found.push(`${field}: ${describe(v)} is not one of ECS's allowed values (${[...allowed].join(', ')})`);
      }
    }
  }
  const categories = line.event && line.event.category;
  const types = line.event && line.event.type;
  if (categories && types) {
    const expected = new Set([].concat(categories).flatMap(c => [...(categoryTypes.get(c) || [])]));
    for (const t of [].concat(types)) {
      if (!expected.has(t)) found.push(`event.type: "${t}" is not expected with event.category ${JSON.stringify(categories)} (ECS expects ${[...expected].join(', ')})`);
    }
  }
  return found;
}

// --- JSON Schema -------------------------------------------------------------------------------------------
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
const validate = ajv.compile(schema);

function schemaViolations(line) {
  if (validate(line)) return [];
  return validate.errors.map(e => `${e.instancePath || '/'}: ${e.message}${e.params && e.params.additionalProperty ? ` (${e.params.additionalProperty})` : ''}`);
}

// --- index template ----------------------------------------------------------------------------------------
function mappingOf(field) {
  let properties = template.template.mappings.properties;
  let mapping;
  for (const part of field.split('.')) {
    mapping = properties && properties[part];
    if (!mapping) return undefined;
    properties = mapping.properties;
  }
  return mapping;
}

// Figures the formatter promises to write as floats: a bare integer literal would let a dynamic mapping make them long.
const FLOAT_LITERAL = /"(value|threshold|window_seconds|period_seconds|bytes_sent_per_second|risk_score)":(-?\d+)(?=[,}\]])/g;

function templateViolations(line, raw) {
  const found = [];
  for (const [field, value] of leaves(line, '', [])) {
    const mapping = mappingOf(field);
    if (!mapping || !mapping.type) {
      found.push(`${field}: not mapped by the index template`);
    } else if (!fitsType(mapping.type, value)) {
      found.push(`${field}: ${describe(value)} does not fit the template's ${mapping.type}`);
    }
  }
  for (const match of raw.matchAll(FLOAT_LITERAL)) {
    found.push(`${match[1]}: written as the integer literal ${match[2]}; fractional figures are always floats`);
  }
  return found;
}

// --- main --------------------------------------------------------------------------------------------------
const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node check.js FILE.jsonl...');
  process.exit(2);
}

const totals = { ecs: 0, schema: 0, template: 0 };
const actions = new Map();
let lines = 0;
for (const file of files) {
  const text = fs.readFileSync(file, 'utf8');
  text.split('\n').forEach((raw, index) => {
    if (raw.length === 0) return;
    lines++;
    let line;
    try {
      line = JSON.parse(raw);
    } catch (e) {
      console.log(`${file}:${index + 1}: not JSON: ${e.message}`);
      totals.schema++;
      return;
    }
    const action = line.event && line.event.action;
    actions.set(action, (actions.get(action) || 0) + 1);
    for (const [check, found] of [['ecs', ecsViolations(line)], ['schema', schemaViolations(line)], ['template', templateViolations(line, raw)]]) {
      for (const message of found) console.log(`${file}:${index + 1}: [${check}] ${message}`);
      totals[check] += found.length;
    }
  });
}

console.log(`checked ${lines} lines (${[...actions].map(([a, n]) => `${a} ${n}`).join(', ')})`);
console.log(`ECS violations: ${totals.ecs}; JSON Schema violations: ${totals.schema}; index template violations: ${totals.template}`);
process.exit(totals.ecs + totals.schema + totals.template === 0 && lines > 0 ? 0 : 1);
