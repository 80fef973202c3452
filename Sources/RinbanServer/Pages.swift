import Foundation
import Hummingbird
import RinbanCore

/// The office's pages. They are thin: every figure comes from the JSON API (the same
/// routes any client uses) or from the printable calendar of `rinban plan --html`, so the
/// browser never has a second path to the data. Scripts and styles are served by rinban
/// itself; nothing is loaded from elsewhere, so the pages work offline.
enum Pages {
    /// HTML-escapes free text (names, notes, file names): the printable calendar's rule.
    static func escape(_ text: String) -> String { RotaHTML.escape(text) }

    static func page(title: String, body: String, script: String? = nil) -> Response {
        let html = """
            <!doctype html>
            <html lang="ja"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title)) — rinban</title>
            <link rel="stylesheet" href="/assets/app.css">
            </head><body>
            <header><a href="/">rinban 輪番</a></header>
            <main>\(body)</main>
            \(script.map { "<script src=\"/assets/\($0)\"></script>" } ?? "")
            </body></html>
            """
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// The list of months and the upload form.
    static func index(months: [Store.Month]) -> Response {
        var rows = ""
        for month in months {
            rows += "<tr><td><a href=\"/months/\(month.id)\">\(escape(month.label))</a></td><td>\(escape(month.association ?? ""))</td>"
                + "<td>\(escape(month.periodStart))〜\(escape(month.periodEnd))</td><td>\(escape(month.sourceName))</td></tr>\n"
        }
        let body = """
            <h1>月の一覧</h1>
            <table class="list"><thead><tr><th>月</th><th>医師会</th><th>期間</th><th>元のファイル</th></tr></thead>
            <tbody>\(rows.isEmpty ? "<tr><td colspan=\"4\">まだありません。下から入力ブックを読み込んでください。</td></tr>" : rows)</tbody></table>
            <h2>新しい月を読み込む</h2>
            <form id="upload">
              <p>入力ブック (.xlsx) または rinban/1 の JSON・YAML を選んでください。読み込む前にすべて確かめます。</p>
              <input type="file" id="file" name="file" accept=".xlsx,.json,.yaml,.yml" required>
              <button type="submit">読み込む</button>
            </form>
            <div id="problems" role="alert"></div>
            """
        return page(title: "月の一覧", body: body, script: "index.js")
    }

    /// One month: plan with live progress, the draft calendar, publish, members' calendars.
    static func month(_ month: Store.Month, draft: Store.StoredPlan?, published: Store.StoredPlan?) -> Response {
        let body = """
            <h1>\(escape(month.label)) <small>\(escape(month.association ?? ""))</small></h1>
            <p>期間 \(escape(month.periodStart))〜\(escape(month.periodEnd))　元のファイル \(escape(month.sourceName))</p>
            <section id="plan" data-month="\(month.id)">
              <h2>計画する</h2>
              <form id="run">
                <label>方法 <select name="engine"><option value="auto">自動</option><option value="glpk">GLPK</option>
                  <option value="lns">近傍探索</option><option value="greedy">貪欲法 (速い)</option></select></label>
                <label>制限時間 (秒) <input name="timeLimit" type="number" min="1" max="3600" value="60" inputmode="numeric"></label>
                <button type="submit">計画を始める</button>
                <button type="button" id="cancel" disabled>取り消す</button>
              </form>
              <div id="progress" aria-live="polite"></div>
              <svg id="chart" width="480" height="120" role="img" aria-label="目的関数の推移"></svg>
            </section>
            <section>
              <h2>下書き \(draft.map { "(版 \($0.version))" } ?? "")</h2>
              \(draft == nil ? "<p>まだありません。計画を始めてください。</p>"
                : "<iframe id=\"draft\" title=\"下書きの当番表\" src=\"/months/\(month.id)/draft.html\"></iframe>")
              <form id="publish">
                <label>公開のメモ <input name="note" type="text" maxlength="2000"></label>
                <button type="submit" \(draft == nil ? "disabled" : "")>下書きを公開する</button>
              </form>
              <p>公開済み: \(published.map { "版 \($0.version) (\(escape($0.at)))" } ?? "まだありません")</p>
            </section>
            <section>
              <h2>メンバーのカレンダー</h2>
              <p>各メンバーに専用の URL を渡すと、スマートフォンのカレンダーが公開済みの当番を自動で更新します。</p>
              <button id="members">URL を表示</button>
              <table class="list" id="memberTable"></table>
            </section>
            """
        return page(title: month.label, body: body, script: "month.js")
    }

    static func asset(_ name: String) -> Response? {
        let type: String
        let text: String
        switch name {
        case "app.css": (type, text) = ("text/css; charset=utf-8", css)
        case "index.js": (type, text) = ("text/javascript; charset=utf-8", indexScript)
        case "month.js": (type, text) = ("text/javascript; charset=utf-8", monthScript)
        default: return nil
        }
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static let css = """
        body { font-family: "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", sans-serif; margin: 0; color: #222; }
        header { background: #1f4e79; padding: 0.6em 1em; }
        header a { color: white; text-decoration: none; font-weight: bold; }
        main { padding: 1em; max-width: 1200px; }
        table.list { border-collapse: collapse; }
        table.list td, table.list th { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; }
        table.list th { background: #ddebf7; }
        #problems, .error { color: #c00000; white-space: pre-wrap; }
        iframe#draft { width: 100%; height: 70vh; border: 1px solid #ccc; }
        form { margin: 0.6em 0; }
        label { margin-right: 1em; }
        #chart { background: #f7f9fc; border: 1px solid #ddd; }
        small { color: #666; font-weight: normal; }
        """

    /// Forms never submit on Enter while an IME is composing Japanese text.
    static let imeGuard = """
        document.addEventListener('keydown', function (e) {
          if (e.key === 'Enter' && (e.isComposing || e.keyCode === 229)) { e.preventDefault(); }
        }, true);
        """

    static let indexScript = imeGuard + """
        document.getElementById('upload').addEventListener('submit', async function (e) {
          e.preventDefault();
          const file = document.getElementById('file').files[0];
          const out = document.getElementById('problems');
          if (!file) { return; }
          out.textContent = '確かめています…';
          const type = file.name.toLowerCase().endsWith('.xlsx')
            ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
            : (file.name.toLowerCase().match(/\\.ya?ml$/) ? 'application/yaml' : 'application/json');
          const response = await fetch('/api/months?name=' + encodeURIComponent(file.name),
            { method: 'POST', headers: { 'Content-Type': type }, body: file });
          const body = await response.json();
          if (response.status === 201) { location.href = '/months/' + body.id; return; }
          out.textContent = (body.problems || []).map(function (p) {
            return p.path + ': ' + (p.japanese ? p.japanese + ' / ' : '') + p.message;
          }).join('\\n') || (body.error && body.error.message) || '読み込めませんでした';
        });
        """

    static let monthScript = imeGuard + """
        const month = document.getElementById('plan').dataset.month;
        const progress = document.getElementById('progress');
        const chart = document.getElementById('chart');
        const points = [];
        function number(x) { return x === undefined || x === null ? '—' : x.toFixed(2); }
        function draw() {
          const ns = 'http://www.w3.org/2000/svg';
          while (chart.firstChild) { chart.removeChild(chart.firstChild); }
          const values = points.flatMap(function (p) { return [p.incumbent, p.bound]; }).filter(function (v) { return v != null && isFinite(v); });
          if (values.length === 0) { return; }
          const lo = Math.min.apply(null, values), hi = Math.max.apply(null, values), span = Math.max(hi - lo, 1);
          const last = Math.max(points[points.length - 1].seconds || 1, 1);
          ['incumbent', 'bound'].forEach(function (key, k) {
            const line = document.createElementNS(ns, 'polyline');
            line.setAttribute('fill', 'none');
            line.setAttribute('stroke', k === 0 ? '#1f4e79' : '#c00000');
            line.setAttribute('points', points.filter(function (p) { return p[key] != null && isFinite(p[key]); }).map(function (p) {
              return (10 + 460 * (p.seconds || 0) / last) + ',' + (110 - 100 * (p[key] - lo) / span);
            }).join(' '));
            chart.appendChild(line);
          });
        }
        function show(run) {
          const states = { running: '計画中', done: '完了', failed: '失敗', cancelled: '取り消し' };
          progress.textContent = (states[run.state] || run.state) + '　目的関数 ' + number(run.incumbent) + '　下界 ' + number(run.bound)
            + '　ギャップ ' + (run.gap == null ? '—' : (run.gap * 100).toFixed(1) + '%') + '　' + number(run.seconds) + ' 秒'
            + (run.message ? '　' + run.message : '');
          if (run.seconds != null) { points.push(run); draw(); }
        }
        let current = null;
        document.getElementById('cancel').addEventListener('click', function () {
          if (current) { fetch('/api/runs/' + current + '/cancel', { method: 'POST' }); }
        });
        function follow(id) {
          current = id;
          document.getElementById('cancel').disabled = false;
          const events = new EventSource('/api/runs/' + id + '/events');
          events.addEventListener('progress', function (e) { show(JSON.parse(e.data)); });
          events.addEventListener('end', function (e) { show(JSON.parse(e.data)); events.close(); setTimeout(function () { location.reload(); }, 500); });
        }
        document.getElementById('run').addEventListener('submit', async function (e) {
          e.preventDefault();
          const form = new FormData(e.target);
          const response = await fetch('/api/months/' + month + '/runs', { method: 'POST', headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ engine: form.get('engine'), timeLimit: Number(form.get('timeLimit')) }) });
          const body = await response.json();
          if (response.status === 202) { points.length = 0; follow(body.id); }
          else { progress.textContent = (body.error && body.error.message) || '始められませんでした'; }
        });
        document.getElementById('publish').addEventListener('submit', async function (e) {
          e.preventDefault();
          const note = new FormData(e.target).get('note');
          const response = await fetch('/api/months/' + month + '/publish', { method: 'POST', headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ note: note }) });
          const body = await response.json();
          if (response.status === 201) { location.reload(); }
          else { alert((body.error && body.error.message) || '公開できませんでした'); }
        });
        document.getElementById('members').addEventListener('click', async function () {
          const members = await (await fetch('/api/months/' + month + '/members')).json();
          const table = document.getElementById('memberTable');
          table.textContent = '';
          members.forEach(function (m) {
            const row = table.insertRow();
            row.insertCell().textContent = m.id;
            row.insertCell().textContent = m.name;
            const link = document.createElement('a');
            link.href = m.icsUrl; link.textContent = m.icsUrl;
            row.insertCell().appendChild(link);
          });
        });
        // A reloaded page, or a second browser, follows the run already going.
        fetch('/api/months/' + month).then(function (r) { return r.json(); }).then(function (m) {
          if (m.runningRun) { follow(m.runningRun); }
        });
        """
}
