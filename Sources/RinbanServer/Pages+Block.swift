import Foundation
import Hummingbird

/// The leader's page (the office uses it too): the published calendar of their blocks,
/// cover for a slot, what-if changes with their difference, and the proposals.
extension Pages {
    static func block(_ month: Store.Month, latest: Int?) -> Response {
        let body = """
            <h1>\(escape(month.label)) <small>公開版\(latest.map { " (版 \($0))" } ?? "")</small></h1>
            <section id="block" data-month="\(month.id)" data-version="\(latest.map(String.init) ?? "")" data-role="\(Principal.current?.user.role.rawValue ?? "")">
              \(latest == nil ? "<p>この月はまだ公開されていません。</p>" : """
              <h2>当番 (担当ブロック)</h2>
              <p class="hint">日付を選ぶと、その日の当番が出ます。名前の横の「出られない」を押すと、代われる人の候補が出ます。</p>
              <p><label>日付 <select id="day"></select></label></p>
              <div id="slots"></div>
              <div id="coverBox" hidden aria-live="polite">
                <h3 id="coverTitle"></h3>
                <ol id="coverList" class="cover"></ol>
                <details><summary>入れない人</summary><ul id="coverUnable"></ul></details>
              </div>
              <h2>変更案を作る (もしも)</h2>
              <form id="whatif">
                <label>内容 <select name="kind">
                  <option value="unavailable">会員が不在になる</option>
                  <option value="removeMember">会員が輪番から抜ける</option>
                  <option value="setDemand">必要な人数を変える</option></select></label>
                <span class="for-member"><label>会員 <select name="member"></select></label></span>
                <span class="for-dates"><label>から <input type="date" name="from"></label>
                  <label>まで <input type="date" name="to"></label></span>
                <span class="for-demand" hidden><label>当番 <select name="duty"></select></label>
                  <label>勤務帯 <select name="shift"></select></label>
                  <label>日の種類 <select name="dayType"><option value="weekday">平日</option><option value="saturday">土曜</option>
                    <option value="holiday">休日</option></select></label>
                  <label>人数 <input type="number" name="count" min="0" max="20" value="1" inputmode="numeric"></label></span>
                <label>説明 <input name="description" maxlength="200" placeholder="例: 佐藤先生 学会出張"></label>
                <button type="submit">計画し直す</button>
              </form>
              <p id="whatifState" aria-live="polite"></p>
              <section id="proposal" hidden>
                <h3 id="proposalTitle"></h3>
                <p id="proposalMeta"></p>
                <table class="list" id="cells"><thead><tr><th>日</th><th>当番</th><th>外れる</th><th>入る</th></tr></thead><tbody></tbody></table>
                <h4>公平さ (点数: 前 → 後)</h4>
                <table class="list" id="fair"><thead><tr><th>会員</th><th>当番数</th><th>点数</th><th>目安</th></tr></thead><tbody></tbody></table>
                <h4>目的関数の変わる項目 (前 → 後)</h4>
                <table class="list" id="terms"><thead><tr><th>項目</th><th>前</th><th>後</th><th>重み付きの増減</th></tr></thead><tbody></tbody></table>
                <p id="proposalActions"></p>
              </section>
              <h2>提案の一覧</h2>
              <table class="list" id="proposals"><thead><tr><th>#</th><th>種類</th><th>内容</th><th>出した人</th><th>状態</th><th></th></tr></thead>
              <tbody></tbody></table>
              """)
            </section>
            """
        return page(title: month.label + " ブロックの当番", body: body, script: latest == nil ? nil : "block.js")
    }

    static let blockCSS = """
        #slots .slot { border: 1px solid #ccc; border-radius: 6px; padding: 0.4em 0.6em; margin: 0.4em 0; max-width: 40em; }
        #slots .slot .name { margin-right: 0.4em; }
        #slots button, ol.cover button, #proposalActions button, #proposals button { min-height: 2.4em; margin: 0.15em; }
        ol.cover li { margin: 0.4em 0; }
        ol.cover .reasons { color: #555; font-size: 0.9em; }
        #whatif label, #whatif span { display: inline-block; margin: 0.3em 0.6em 0.3em 0; }
        #whatif [hidden] { display: none !important; }
        tr.up td.after { color: #c00000; }
        tr.down td.after { color: #1f7a1f; }
        .state-published { color: #1f7a1f; }
        .state-rejected, .state-withdrawn, .state-rebased { color: #888; }
        @media (max-width: 600px) { #whatif label, #whatif span { display: block; } }
        """

    static let blockScript = """
        (function () {
          const root = document.getElementById('block');
          const month = root.dataset.month, version = root.dataset.version, role = root.dataset.role;
          const weekdays = ['日', '月', '火', '水', '木', '金', '土'];
          const states = { proposed: '案 (未提出)', submitted: '提出済み (事務局の確認待ち)', published: '公開済み', rejected: '却下',
                           withdrawn: '取り下げ', rebased: '作り直し済み', offered: '申し出中', accepted: '引き受け済み' };
          const kinds = { whatif: '変更案', cover: '代わり', swap: '交代' };
          let view = null;
          function el(tag, attrs, text) {
            const e = document.createElement(tag);
            Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
            if (text !== undefined) { e.textContent = text; }
            return e;
          }
          async function problem(response) {
            try {
              const body = await response.json();
              if (body.problems) { return body.problems.map(function (p) { return p.japanese || p.message; }).join('\\n'); }
              return (body.error && body.error.message) || response.statusText;
            } catch (e) { return response.statusText; }
          }
          function dayLabel(d) {
            const parts = d.date.split('-');
            return Number(parts[1]) + '/' + Number(parts[2]) + ' (' + weekdays[d.weekday] + ')' + (d.holiday ? ' ' + d.holiday : '');
          }
          function memberName(id) {
            const m = view.members.find(function (x) { return x.id === id; });
            return m ? m.name : id;
          }
          function drawDay() {
            const index = Number(document.getElementById('day').value);
            const box = document.getElementById('slots');
            box.innerHTML = '';
            view.columns.forEach(function (column, c) {
              const cell = view.cells[index][c];
              if (!cell) { return; }
              const div = el('div', { class: 'slot' });
              div.appendChild(el('strong', {}, column.dutyName + ' ' + column.areaName + ' ' + column.shiftName + '　'));
              cell.members.forEach(function (m) {
                div.appendChild(el('span', { class: 'name' }, memberName(m)));
                const out = el('button', { type: 'button', class: 'out', 'data-member': m }, '出られない');
                out.addEventListener('click', function () { cover(column, view.dates[index].date, m); });
                div.appendChild(out);
              });
              if (cell.missing > 0) {
                div.appendChild(el('span', { class: 'name' }, '空き ' + cell.missing));
                const fill = el('button', { type: 'button', class: 'fill' }, '候補を見る');
                fill.addEventListener('click', function () { cover(column, view.dates[index].date, null); });
                div.appendChild(fill);
              }
              box.appendChild(div);
            });
            if (!box.children.length) { box.textContent = 'この日、担当ブロックの当番はありません。'; }
          }
          async function cover(column, date, exclude) {
            const query = new URLSearchParams({ duty: column.duty, area: column.area, date: date, shift: column.shift });
            if (exclude) { query.set('exclude', exclude); }
            const box = document.getElementById('coverBox');
            box.hidden = false;
            document.getElementById('coverTitle').textContent = date + ' ' + column.dutyName + ' ' + column.areaName + ' ' + column.shiftName
              + (exclude ? ': ' + memberName(exclude) + ' の代わり' : ': 空きを埋める');
            const list = document.getElementById('coverList');
            list.textContent = '候補を探しています…';
            const started = performance.now();
            const response = await fetch('/api/months/' + month + '/published/' + version + '/cover?' + query);
            if (!response.ok) { list.textContent = await problem(response); return; }
            const answer = await response.json();
            list.innerHTML = '';
            list.dataset.ms = String(Math.round(performance.now() - started));
            answer.candidates.forEach(function (c) {
              const li = el('li', { class: 'candidate' });
              li.appendChild(el('strong', {}, c.name));
              li.appendChild(document.createTextNode(' 目的関数 +' + c.increase.toFixed(1) + (c.neighbour ? ' (隣のブロック)' : '')));
              const reasons = c.reasons.filter(function (r) { return Math.abs(r.value) >= 0.005; })
                .map(function (r) { return r.label + ' ' + (r.value > 0 ? '+' : '') + r.value.toFixed(1); }).join('、');
              li.appendChild(el('div', { class: 'reasons' }, (reasons || '追加の負担なし')
                + (c.swap ? '　交換: ' + c.swap.date + ' の当番を ' + c.swap.toName + ' に渡す' : '')));
              const ask = el('button', { type: 'button', class: 'ask' }, 'この人に頼む (案を作る)');
              ask.addEventListener('click', async function () {
                const r = await fetch('/api/months/' + month + '/cover', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                  body: JSON.stringify({ duty: column.duty, area: column.area, date: date, shift: column.shift, member: c.member, exclude: exclude }) });
                if (r.ok) { showProposal(await r.json()); proposals(); } else { alert(await problem(r)); }
              });
              li.appendChild(ask);
              list.appendChild(li);
            });
            const unable = document.getElementById('coverUnable');
            unable.innerHTML = '';
            answer.unable.forEach(function (u) { unable.appendChild(el('li', {}, u.name + ': ' + u.japanese)); });
          }
          function figures(f) { return f ? f.duties + ' / ' + f.points.toFixed(1) : '—'; }
          function showProposal(p) {
            const box = document.getElementById('proposal');
            box.hidden = false;
            box.dataset.id = p.id;
            document.getElementById('proposalTitle').textContent = kinds[p.kind] + ' #' + p.id + ': ' + p.description;
            const s = p.summary;
            document.getElementById('proposalMeta').textContent = '版 ' + p.baseVersion + ' に対して　状態: ' + states[p.state]
              + (p.stale ? ' (その後に新しい版が公開されたため、作り直しが必要です)' : '')
              + '　目的関数 ' + s.totalBefore.toFixed(1) + ' → ' + s.totalAfter.toFixed(1)
              + (s.uncovered ? '　空き ' + s.uncovered : '') + (s.violations.length ? '　ルール違反: ' + s.violations.join('; ') : '');
            const cells = document.querySelector('#cells tbody');
            cells.innerHTML = '';
            s.cells.forEach(function (c) {
              const tr = el('tr', { class: 'changed' });
              [c.date, c.dutyName + ' ' + c.areaName + ' ' + c.shiftName,
               c.removed.map(function (m) { return m.name; }).join('、'), c.added.map(function (m) { return m.name; }).join('、')]
                .forEach(function (v) { tr.appendChild(el('td', {}, v)); });
              cells.appendChild(tr);
            });
            if (!s.cells.length) { const tr = el('tr'); tr.appendChild(el('td', { colspan: '4' }, '当番の変更はありません')); cells.appendChild(tr); }
            const fair = document.querySelector('#fair tbody');
            fair.innerHTML = '';
            s.members.forEach(function (m) {
              const up = m.before && m.after && m.after.points > m.before.points;
              const tr = el('tr', { class: up ? 'up' : 'down' });
              tr.appendChild(el('td', {}, m.name));
              tr.appendChild(el('td', {}, (m.before ? m.before.duties : 0) + ' → ' + (m.after ? m.after.duties : 0)));
              tr.appendChild(el('td', { class: 'after' }, (m.before ? m.before.points.toFixed(1) : '—') + ' → ' + (m.after ? m.after.points.toFixed(1) : '—')));
              tr.appendChild(el('td', {}, m.after && m.after.target != null ? m.after.target.toFixed(1) : '—'));
              fair.appendChild(tr);
            });
            const terms = document.querySelector('#terms tbody');
            terms.innerHTML = '';
            s.terms.filter(function (t) { return Math.abs(t.weightedChange) >= 0.005 || Math.abs(t.after - t.before) >= 0.005; }).forEach(function (t) {
              const tr = el('tr');
              [t.label, t.before.toFixed(2), t.after.toFixed(2), (t.weightedChange > 0 ? '+' : '') + t.weightedChange.toFixed(2)]
                .forEach(function (v) { tr.appendChild(el('td', {}, v)); });
              terms.appendChild(tr);
            });
            const actions = document.getElementById('proposalActions');
            actions.innerHTML = '';
            function action(label, path, cls) {
              const b = el('button', { type: 'button', class: cls }, label);
              b.addEventListener('click', async function () {
                const r = await fetch('/api/proposals/' + p.id + '/' + path, { method: 'POST' });
                const body = await r.json().catch(function () { return {}; });
                if (r.ok) { showProposal(body); proposals(); if (body.state === 'published') { setTimeout(function () { location.reload(); }, 1500); } }
                else { document.getElementById('proposalMeta').textContent = (body.error && body.error.message) || '失敗しました'; }
              });
              actions.appendChild(b);
            }
            if (p.stale && p.kind === 'whatif' && (p.state === 'proposed' || p.state === 'submitted')) { action('最新の版に対して作り直す', 'rebase', 'rebase'); }
            else if (p.state === 'proposed') { action(role === 'office' ? '公開する' : '提出する', 'submit', 'submit'); }
            if ((p.state === 'submitted' || p.state === 'accepted') && (role === 'office' || (role === 'leader' && p.kind === 'swap'))) {
              action('公開する', 'publish', 'publish'); action('却下する', 'reject', 'reject');
            }
            if (p.state === 'proposed' || p.state === 'submitted') { action('取り下げる', 'withdraw', 'withdraw'); }
            box.scrollIntoView({ behavior: 'smooth' });
          }
          async function proposals() {
            const list = await (await fetch('/api/months/' + month + '/proposals')).json();
            const body = document.querySelector('#proposals tbody');
            body.innerHTML = '';
            list.forEach(function (p) {
              const tr = el('tr', { 'data-id': String(p.id), 'data-state': p.state });
              [String(p.id), kinds[p.kind], p.description, p.createdBy].forEach(function (v) { tr.appendChild(el('td', {}, v)); });
              tr.appendChild(el('td', { class: 'state-' + p.state }, states[p.state] + (p.version ? ' (版 ' + p.version + ')' : '') + (p.stale ? ' ※作り直しが必要' : '')));
              const open = el('button', { type: 'button' }, '開く');
              open.addEventListener('click', async function () { showProposal(await (await fetch('/api/proposals/' + p.id)).json()); });
              const td = el('td');
              td.appendChild(open);
              tr.appendChild(td);
              body.appendChild(tr);
            });
          }
          const form = document.getElementById('whatif');
          function kindChanged() {
            const kind = form.elements.kind.value;
            form.querySelector('.for-member').hidden = kind === 'setDemand';
            form.querySelector('.for-dates').hidden = kind !== 'unavailable';
            form.querySelector('.for-demand').hidden = kind !== 'setDemand';
          }
          form.elements.kind.addEventListener('change', kindChanged);
          form.addEventListener('submit', async function (e) {
            e.preventDefault();
            const f = form.elements;
            let change;
            if (f.kind.value === 'unavailable') {
              change = { change: 'unavailable', member: f.member.value, from: f.from.value, to: f.to.value || f.from.value };
            } else if (f.kind.value === 'removeMember') {
              change = { change: 'removeMember', member: f.member.value };
            } else {
              change = { change: 'setDemand', duty: f.duty.value, shift: f.shift.value, dayType: f.dayType.value, count: Number(f.count.value) };
            }
            const state = document.getElementById('whatifState');
            state.textContent = '計画し直しています (最大 10 秒)…';
            document.getElementById('proposal').hidden = true;
            const r = await fetch('/api/months/' + month + '/whatif', { method: 'POST', headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify({ format: 'rinban-change/1', description: f.description.value || undefined, changes: [change] }) });
            if (r.ok) { state.textContent = ''; showProposal(await r.json()); proposals(); } else { state.textContent = await problem(r); }
          });
          (async function () {
            const response = await fetch('/api/months/' + month + '/published/' + version + '/view');
            view = await response.json();
            const day = document.getElementById('day');
            view.dates.forEach(function (d, i) { day.appendChild(el('option', { value: String(i) }, dayLabel(d))); });
            day.addEventListener('change', drawDay);
            drawDay();
            const members = form.elements.member;
            view.members.forEach(function (m) { members.appendChild(el('option', { value: m.id }, m.name + ' (' + m.blockName + ')')); });
            const duties = {}, shifts = {};
            view.columns.forEach(function (c) { duties[c.duty] = c.dutyName; shifts[c.shift] = c.shiftName; });
            Object.keys(duties).forEach(function (d) { form.elements.duty.appendChild(el('option', { value: d }, duties[d])); });
            Object.keys(shifts).forEach(function (s) { form.elements.shift.appendChild(el('option', { value: s }, shifts[s])); });
            form.elements.from.value = view.dates[0].date;
            form.elements.from.min = form.elements.to.min = view.dates[0].date;
            form.elements.from.max = form.elements.to.max = view.dates[view.dates.length - 1].date;
            kindChanged();
            proposals();
          })();
        })();
        """
}
