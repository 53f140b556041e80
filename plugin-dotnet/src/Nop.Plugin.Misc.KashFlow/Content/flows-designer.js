// The flows designer (Configuration → KashFlow → Flows): draws each flow of the flows document as a
// diagram (trigger box → condition boxes → step boxes) and edits the selected box with a form beside it.
// It owns only drawing and editing: the document is the engine's (validated by kfs_flows_validate on
// Save, errors drawn on the box their "Box" names). Plain JS, no library, no network: the page hands
// it the document, the errors, the examples, the option lists and every text (locale resources) as
// data attributes of #kashflow-flows, and Save posts the JSON in a hidden field.
(function () {
    'use strict';

    var root = document.getElementById('kashflow-flows');
    if (!root) return;

    function data(name, fallback) {
        var raw = root.getAttribute('data-' + name);
        if (!raw) return fallback;
        try { return JSON.parse(raw); } catch (e) { return fallback; }
    }

    var texts = data('texts', {});
    var options = data('options', { Triggers: [], Fields: [], Ops: [], StepKinds: [], OrderStatuses: [] });
    var examples = data('examples', []);
    var doc = normalise(data('flows', null));
    var errors = data('errors', []);
    var selected = { flow: doc.Flows.length ? 0 : -1, box: 'Flow' };

    function t(key) { return Object.prototype.hasOwnProperty.call(texts, key) ? texts[key] : key; }

    // the designer's own frame: toolbar, errors that belong to no box, the diagram and the form beside it
    root.textContent = '';
    var toolbar = el('div', 'kf-toolbar mb-2');
    var addFlow = el('button', 'btn btn-primary mr-2', t('AddFlow'));
    addFlow.type = 'button';
    addFlow.name = 'kf-add-flow';
    toolbar.appendChild(addFlow);
    var exampleSelect = el('select', 'form-control d-inline-block w-auto');
    exampleSelect.name = 'kf-example';
    exampleSelect.appendChild(new Option(t('LoadExample'), ''));
    toolbar.appendChild(exampleSelect);
    root.appendChild(toolbar);
    var general = root.appendChild(el('div', 'kf-general-errors'));
    var columns = root.appendChild(el('div', 'row'));
    var diagram = columns.appendChild(el('div', 'col-lg-8 kf-diagram'));
    var editor = columns.appendChild(el('div', 'col-lg-4 kf-editor'));
    var hidden = document.getElementById('kashflow-flows-json');

    function normalise(d) {
        if (!d || typeof d !== 'object') d = {};
        if (typeof d.Version !== 'number') d.Version = 1;
        if (!Array.isArray(d.Flows)) d.Flows = [];
        return d;
    }

    // ---- the When tree: groups {"All":[...]}, {"Any":[...]}, negation {"Not":node}, tests {"Field",...}
    function groupMode(node) {
        if (!node || typeof node !== 'object') return null;
        if (Array.isArray(node.All)) return 'All';
        if (Array.isArray(node.Any)) return 'Any';
        return null;
    }

    // Resolves a box path ("When", "When.All[1]", "When.All[2].Not", "When.Any[0].All[3]") to
    // {parent array, index, node}; the root When is {node: flow.When}.
    function resolve(flow, path) {
        if (path === 'When') return { node: flow.When, parent: null, index: -1 };
        var re = /\.(All|Any)\[(\d+)\]|\.Not/g, node = flow.When, parent = null, index = -1, m;
        var rest = path.substring(4);
        while ((m = re.exec(rest)) !== null) {
            if (m[0] === '.Not') { parent = node; index = 'Not'; node = node.Not; continue; }
            parent = node[m[1]]; index = parseInt(m[2], 10); node = parent[index];
        }
        return { node: node, parent: parent, index: index };
    }

    function newFlow() {
        var n = doc.Flows.length + 1, id = 'flow-' + n;
        while (doc.Flows.some(function (f) { return f.Id === id; })) id = 'flow-' + (++n);
        return { Id: id, Name: t('NewFlowName') + ' ' + n, Enabled: true, Trigger: 'OrderPlaced', Steps: [{ Step: 'Customer', Mode: 'PerCustomer' }, { Step: 'Invoice' }] };
    }

    // ---- errors: which errors belong to a flow and a box
    function flowIndexOf(error) {
        var m = /^Flows\[(\d+)\]/.exec(error.Path || '');
        if (m) return parseInt(m[1], 10);
        if (error.FlowId) {
            for (var i = 0; i < doc.Flows.length; i++) if (doc.Flows[i].Id === error.FlowId) return i;
        }
        return -1;
    }

    function errorsFor(flowIndex, box) {
        return errors.filter(function (e) { return flowIndexOf(e) === flowIndex && (e.Box || 'Flow') === box; });
    }

    // ---- drawing
    function el(tag, cls, text) {
        var e = document.createElement(tag);
        if (cls) e.className = cls;
        if (text !== undefined && text !== null) e.textContent = text;
        return e;
    }

    function box(flowIndex, path, kind, title, detail, drawnBoxes) {
        drawnBoxes[path] = true;
        var b = el('div', 'kf-box kf-box-' + kind);
        b.setAttribute('data-flow', flowIndex);
        b.setAttribute('data-box', path);
        b.tabIndex = 0;
        if (selected.flow === flowIndex && selected.box === path) b.className += ' kf-selected';
        b.appendChild(el('div', 'kf-box-title', title));
        if (detail) b.appendChild(el('div', 'kf-box-detail', detail));
        var mine = errorsFor(flowIndex, path);
        if (mine.length) {
            b.className += ' kf-has-error';
            mine.forEach(function (e) { b.appendChild(el('div', 'kf-box-error', e.Message)); });
        }
        b.addEventListener('click', function (ev) { ev.stopPropagation(); select(flowIndex, path); });
        return b;
    }

    function valueText(v) {
        if (Array.isArray(v)) return v.join(', ');
        if (v === true) return t('Yes');
        if (v === false) return t('No');
        return v === undefined || v === null ? '' : String(v);
    }

    function testText(test) {
        return t('Field.' + test.Field) + ' ' + t('Op.' + test.Op) + ' ' + valueText(test.Value);
    }

    function drawCondition(flowIndex, node, path, container, drawnBoxes) {
        var mode = groupMode(node);
        if (mode) {
            var g = box(flowIndex, path, 'group', t('Group.' + mode), null, drawnBoxes);
            var kids = el('div', 'kf-group-children');
            node[mode].forEach(function (child, i) { drawCondition(flowIndex, child, path + '.' + mode + '[' + i + ']', kids, drawnBoxes); });
            if (!node[mode].length) kids.appendChild(el('div', 'kf-empty', t('NoConditions')));
            g.appendChild(kids);
            container.appendChild(g);
        } else if (node && typeof node === 'object' && node.Not !== undefined) {
            var n = box(flowIndex, path, 'not', t('Not'), null, drawnBoxes);
            var inner = el('div', 'kf-group-children');
            drawCondition(flowIndex, node.Not, path + '.Not', inner, drawnBoxes);
            n.appendChild(inner);
            container.appendChild(n);
        } else if (node && typeof node === 'object') {
            container.appendChild(box(flowIndex, path, 'test', testText(node), null, drawnBoxes));
        }
    }

    function stepDetail(step) {
        var parts = [];
        Object.keys(step).forEach(function (k) {
            if (k === 'Step' || step[k] === undefined || step[k] === null || step[k] === '') return;
            // the choices a form offers read as the form names them
            var shown = k === 'Mode' ? t('CustomerMode.' + step[k]) : k === 'Status' ? t('OrderStatus.' + step[k]) : valueText(step[k]);
            parts.push(t('Setting.' + k) + ': ' + shown);
        });
        return parts.join(' · ');
    }

    function draw() {
        diagram.textContent = '';
        general.textContent = '';
        var drawnByFlow = [];
        doc.Flows.forEach(function (flow, i) {
            var drawn = {};
            drawnByFlow.push(drawn);
            var lane = el('div', 'kf-lane' + (flow.Enabled === false ? ' kf-disabled' : ''));
            lane.setAttribute('data-flow', i);
            var head = box(i, 'Flow', 'flow', (flow.Name || flow.Id || '?') + (flow.Enabled === false ? ' (' + t('Disabled') + ')' : ''), flow.Id, drawn);
            lane.appendChild(head);
            var row = el('div', 'kf-row');
            row.appendChild(box(i, 'Trigger', 'trigger', t('Trigger.' + flow.Trigger), t('TriggerBox'), drawn));
            row.appendChild(el('div', 'kf-arrow', '→'));
            var when = el('div', 'kf-when');
            if (flow.When) drawCondition(i, flow.When, 'When', when, drawn);
            else when.appendChild(box(i, 'When', 'always', t('Always'), null, drawn));
            row.appendChild(when);
            row.appendChild(el('div', 'kf-arrow', '→'));
            var steps = el('div', 'kf-steps');
            (flow.Steps || []).forEach(function (step, s) {
                if (s > 0) steps.appendChild(el('div', 'kf-arrow', '→'));
                steps.appendChild(box(i, 'Steps[' + s + ']', 'step', t('Step.' + step.Step), stepDetail(step), drawn));
            });
            if (!(flow.Steps || []).length) steps.appendChild(el('div', 'kf-empty', t('NoSteps')));
            row.appendChild(steps);
            lane.appendChild(row);
            diagram.appendChild(lane);
        });
        if (!doc.Flows.length) diagram.appendChild(el('div', 'kf-empty kf-no-flows', t('NoFlows')));
        // errors whose box is not drawn (or which name no flow) are listed above the diagram
        errors.forEach(function (e) {
            var f = flowIndexOf(e);
            if (f < 0 || !drawnByFlow[f] || !drawnByFlow[f][e.Box || 'Flow']) general.appendChild(el('div', 'alert alert-danger kf-general-error', (e.Path ? e.Path + ': ' : '') + e.Message));
        });
        if (hidden) hidden.value = JSON.stringify(doc);
        drawEditor();
    }

    function select(flowIndex, path) {
        selected = { flow: flowIndex, box: path };
        draw();
    }

    // the document changed: old errors may no longer point at the right box, so they go
    function changed() {
        errors = [];
        draw();
    }

    // ---- the form beside the diagram
    function field(label, input) {
        var g = el('div', 'form-group');
        var l = el('label', 'col-form-label', label);
        g.appendChild(l);
        g.appendChild(input);
        return g;
    }

    function textInput(name, value, onInput) {
        var i = el('input', 'form-control');
        i.type = 'text';
        i.name = 'kf-' + name;
        i.value = value === undefined || value === null ? '' : value;
        i.addEventListener('change', function () { onInput(i.value); });
        return i;
    }

    function selectInput(name, values, current, labelPrefix, onChange, allowEmpty) {
        var s = el('select', 'form-control');
        s.name = 'kf-' + name;
        if (allowEmpty) s.appendChild(new Option('', ''));
        values.forEach(function (v) {
            var o = new Option(labelPrefix ? t(labelPrefix + v) : v, v);
            if (v === current) o.selected = true;
            s.appendChild(o);
        });
        s.addEventListener('change', function () { onChange(s.value); });
        return s;
    }

    function button(name, label, cls, onClick) {
        var b = el('button', 'btn ' + (cls || 'btn-default') + ' btn-sm mr-1 mb-1', label);
        b.type = 'button';
        b.name = 'kf-' + name;
        b.addEventListener('click', onClick);
        return b;
    }

    function move(list, index, delta) {
        var to = index + delta;
        if (to < 0 || to >= list.length) return index;
        var item = list.splice(index, 1)[0];
        list.splice(to, 0, item);
        return to;
    }

    function drawEditor() {
        editor.textContent = '';
        var flow = doc.Flows[selected.flow];
        if (!flow) { editor.appendChild(el('p', 'text-muted', t('SelectBox'))); return; }
        var path = selected.box;
        editor.appendChild(el('h5', 'kf-editor-title', t('Editing') + ': ' + (flow.Name || flow.Id)));
        if (path === 'Flow') flowForm(flow);
        else if (path === 'Trigger') editor.appendChild(field(t('Trigger'), selectInput('trigger', options.Triggers, flow.Trigger, 'Trigger.', function (v) { flow.Trigger = v; changed(); })));
        else if (path.indexOf('Steps[') === 0) stepForm(flow, parseInt(path.substring(6), 10));
        else if (path === 'When' && !flow.When) {
            editor.appendChild(el('p', 'text-muted', t('AlwaysHint')));
            editor.appendChild(button('add-condition', t('AddCondition'), 'btn-primary', function () { flow.When = { All: [{ Field: 'OrderTotal', Op: 'AtLeast', Value: '0.00' }] }; selected.box = 'When.All[0]'; changed(); }));
        } else conditionForm(flow, path);
    }

    function flowForm(flow) {
        var i = selected.flow;
        editor.appendChild(field(t('FlowName'), textInput('flow-name', flow.Name, function (v) { flow.Name = v; changed(); })));
        editor.appendChild(field(t('FlowId'), textInput('flow-id', flow.Id, function (v) { flow.Id = v; changed(); })));
        var check = el('input');
        check.type = 'checkbox';
        check.name = 'kf-flow-enabled';
        check.checked = flow.Enabled !== false;
        check.addEventListener('change', function () { flow.Enabled = check.checked; changed(); });
        var label = el('label', 'kf-check');
        label.appendChild(check);
        label.appendChild(document.createTextNode(' ' + t('Enabled')));
        editor.appendChild(el('div', 'form-group')).appendChild(label);
        var tools = el('div', 'kf-tools');
        tools.appendChild(button('flow-up', t('MoveUp'), '', function () { selected.flow = move(doc.Flows, i, -1); changed(); }));
        tools.appendChild(button('flow-down', t('MoveDown'), '', function () { selected.flow = move(doc.Flows, i, 1); changed(); }));
        tools.appendChild(button('add-step', t('AddStep'), 'btn-primary', function () { addStep(flow); }));
        tools.appendChild(button('flow-remove', t('RemoveFlow'), 'btn-danger', function () { doc.Flows.splice(i, 1); selected = { flow: Math.min(i, doc.Flows.length - 1), box: 'Flow' }; changed(); }));
        editor.appendChild(tools);
    }

    function addStep(flow) {
        flow.Steps = flow.Steps || [];
        flow.Steps.push({ Step: 'Payment' });
        selected.box = 'Steps[' + (flow.Steps.length - 1) + ']';
        changed();
    }

    var stepSettings = {
        Customer: ['Mode', 'RollUpCode', 'RollUpName'],
        Invoice: ['Nominal', 'ProjectId'],
        OrderStatus: ['Status'],
        Product: ['UpdatePrice']
    };

    function stepForm(flow, s) {
        var step = flow.Steps[s];
        if (!step) return;
        editor.appendChild(field(t('StepKind'), selectInput('step-kind', options.StepKinds, step.Step, 'Step.', function (v) {
            flow.Steps[s] = v === 'Customer' ? { Step: v, Mode: 'PerCustomer' } : { Step: v };
            changed();
        })));
        (stepSettings[step.Step] || []).forEach(function (k) {
            var input;
            if (k === 'Mode') input = selectInput('step-Mode', ['PerCustomer', 'RollUp'], step.Mode, 'CustomerMode.', function (v) { step.Mode = v; changed(); });
            else if (k === 'Status') input = selectInput('step-Status', options.OrderStatuses, step.Status, 'OrderStatus.', function (v) { step.Status = v; changed(); }, true);
            else if (k === 'UpdatePrice') input = selectInput('step-UpdatePrice', ['true', 'false'], String(step.UpdatePrice === true), 'Bool.', function (v) { step.UpdatePrice = v === 'true'; changed(); });
            else if (k === 'ProjectId') input = textInput('step-ProjectId', step.ProjectId, function (v) {
                // a number when it reads as one; anything else goes as typed for the engine to name the problem
                if (v.trim() === '') delete step.ProjectId; else step.ProjectId = /^\d+$/.test(v.trim()) ? parseInt(v, 10) : v;
                changed();
            });
            else input = textInput('step-' + k, step[k], function (v) { if (v.trim() === '') delete step[k]; else step[k] = v; changed(); });
            editor.appendChild(field(t('Setting.' + k), input));
        });
        var tools = el('div', 'kf-tools');
        tools.appendChild(button('step-up', t('MoveUp'), '', function () { selected.box = 'Steps[' + move(flow.Steps, s, -1) + ']'; changed(); }));
        tools.appendChild(button('step-down', t('MoveDown'), '', function () { selected.box = 'Steps[' + move(flow.Steps, s, 1) + ']'; changed(); }));
        tools.appendChild(button('add-step', t('AddStep'), 'btn-primary', function () { addStep(flow); }));
        tools.appendChild(button('step-remove', t('RemoveStep'), 'btn-danger', function () { flow.Steps.splice(s, 1); selected.box = 'Flow'; changed(); }));
        editor.appendChild(tools);
    }

    // the value as the contract wants it: a list for In/NotIn, [lo, hi] for Between, a bool for Is
    function typedValue(op, text, hi) {
        if (op === 'In' || op === 'NotIn') return text.split(',').map(function (s) { return s.trim(); }).filter(function (s) { return s !== ''; });
        if (op === 'Between') return [text.trim(), (hi || '').trim()];
        if (op === 'Is') return text === 'true';
        return text.trim();
    }

    function conditionForm(flow, path) {
        var at = resolve(flow, path);
        var node = at.node;
        if (!node) return;
        var mode = groupMode(node);
        var tools = el('div', 'kf-tools');
        if (mode) {
            editor.appendChild(field(t('GroupMode'), selectInput('group-mode', ['All', 'Any'], mode, 'Group.', function (v) {
                if (v === mode) return;
                node[v] = node[mode]; delete node[mode];
                selected.box = path; changed();
            })));
            tools.appendChild(button('add-condition', t('AddCondition'), 'btn-primary', function () {
                node[mode].push({ Field: 'OrderTotal', Op: 'AtLeast', Value: '0.00' });
                selected.box = path + '.' + mode + '[' + (node[mode].length - 1) + ']'; changed();
            }));
            tools.appendChild(button('add-group', t('AddGroup'), '', function () {
                node[mode].push({ Any: [{ Field: 'PaymentMethod', Op: 'Equals', Value: '' }] });
                selected.box = path + '.' + mode + '[' + (node[mode].length - 1) + ']'; changed();
            }));
        } else if (node.Not !== undefined) {
            editor.appendChild(el('p', 'text-muted', t('NotHint')));
        } else {
            editor.appendChild(field(t('Field'), selectInput('cond-field', options.Fields, node.Field, 'Field.', function (v) { node.Field = v; changed(); })));
            editor.appendChild(field(t('Op'), selectInput('cond-op', options.Ops, node.Op, 'Op.', function (v) {
                node.Op = v; node.Value = typedValue(v, v === 'Is' ? 'true' : valueText(Array.isArray(node.Value) ? node.Value[0] : node.Value)); changed();
            })));
            if (node.Op === 'Is') {
                editor.appendChild(field(t('Value'), selectInput('cond-value', ['true', 'false'], String(node.Value === true), 'Bool.', function (v) { node.Value = typedValue('Is', v); changed(); })));
            } else if (node.Op === 'Between') {
                var pair = Array.isArray(node.Value) ? node.Value : [valueText(node.Value), ''];
                editor.appendChild(field(t('From'), textInput('cond-value', pair[0], function (v) { node.Value = typedValue('Between', v, pair[1]); changed(); })));
                editor.appendChild(field(t('To'), textInput('cond-value-to', pair[1], function (v) { node.Value = typedValue('Between', String(pair[0]), v); changed(); })));
            } else {
                var hint = node.Op === 'In' || node.Op === 'NotIn' ? t('ListHint') : '';
                var f = field(t('Value'), textInput('cond-value', valueText(node.Value).replace(/, /g, ','), function (v) { node.Value = typedValue(node.Op, v); changed(); }));
                if (hint) f.appendChild(el('small', 'form-text text-muted', hint));
                editor.appendChild(f);
            }
        }
        if (at.parent !== null) {
            // a node inside a group (or a negation): negate, move, remove
            var inNot = at.index === 'Not';
            if (!inNot) {
                tools.appendChild(button('cond-negate', node.Not !== undefined ? t('UnNegate') : t('Negate'), '', function () {
                    at.parent[at.index] = node.Not !== undefined ? node.Not : { Not: node };
                    changed();
                }));
                tools.appendChild(button('cond-up', t('MoveUp'), '', function () { selected.box = path.replace(/\[\d+\]$/, '[' + move(at.parent, at.index, -1) + ']'); changed(); }));
                tools.appendChild(button('cond-down', t('MoveDown'), '', function () { selected.box = path.replace(/\[\d+\]$/, '[' + move(at.parent, at.index, 1) + ']'); changed(); }));
                tools.appendChild(button('cond-remove', t('RemoveCondition'), 'btn-danger', function () {
                    at.parent.splice(at.index, 1);
                    selected.box = path.replace(/\.(All|Any)\[\d+\]$/, ''); changed();
                }));
            }
        } else {
            if (!mode) {
                // a single test (or NOT) as the whole condition: a second one makes it "all of" the two
                tools.appendChild(button('add-condition', t('AddCondition'), 'btn-primary', function () {
                    flow.When = { All: [node, { Field: 'OrderTotal', Op: 'AtLeast', Value: '0.00' }] };
                    selected.box = 'When.All[1]'; changed();
                }));
            }
            tools.appendChild(button('when-remove', t('RemoveAllConditions'), 'btn-danger', function () { delete flow.When; selected.box = 'When'; changed(); }));
        }
        editor.appendChild(tools);
    }

    // ---- the page's own buttons
    addFlow.addEventListener('click', function () {
        doc.Flows.push(newFlow());
        selected = { flow: doc.Flows.length - 1, box: 'Flow' };
        changed();
    });
    examples.forEach(function (ex) { exampleSelect.appendChild(new Option(ex.Name, ex.Key)); });
    exampleSelect.addEventListener('change', function () {
        var ex = examples.filter(function (e) { return e.Key === exampleSelect.value; })[0];
        exampleSelect.value = '';
        if (!ex) return;
        doc = normalise(JSON.parse(JSON.stringify(ex.Document)));
        selected = { flow: doc.Flows.length ? 0 : -1, box: 'Flow' };
        changed();
    });
    // a form that posts the document (Save, Dry run) carries it as it is now
    Array.prototype.forEach.call(document.querySelectorAll('form[data-kf-carries-flows]'), function (form) {
        form.addEventListener('submit', function () {
            var input = form.querySelector('input[name="flowsJson"]');
            if (input) input.value = JSON.stringify(doc);
        });
    });

    // a refused save comes back with errors: open the first one's box
    errors.some(function (e) {
        var f = flowIndexOf(e);
        if (f < 0) return false;
        selected = { flow: f, box: e.Box || 'Flow' };
        return true;
    });
    draw();
    root.setAttribute('data-ready', 'true');
})();
