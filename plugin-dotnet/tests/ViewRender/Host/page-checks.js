// Runs in the rendered page (Chromium, 1400 px viewport) and returns what a reader would find wrong:
// raw resource keys in text or in attributes shown to users, anything wider than the viewport, labels
// with no text, links or buttons with nothing on them, Razor or template leftovers, nop-* tags no tag
// helper rendered, format placeholders left unfilled, resources loaded from the network, grid cells
// whose render function is missing. Each finding names where it is.
(function () {
    var keyPrefix = 'Plugins.Misc.KashFlow.';
    var viewport = window.innerWidth;
    var problems = [];
    function where(el) {
        var path = [];
        for (var e = el; e && e.nodeType === 1 && path.length < 4; e = e.parentElement) {
            var part = e.tagName.toLowerCase();
            if (e.id) part += '#' + e.id;
            else if (e.classList.length) part += '.' + Array.prototype.slice.call(e.classList, 0, 2).join('.');
            path.unshift(part);
            if (e.id) break;
        }
        return path.join(' > ');
    }
    function snippet(text) {
        text = text.replace(/\s+/g, ' ').trim();
        return text.length > 100 ? text.substring(0, 97) + '...' : text;
    }
    var razor = /(^|[\s>(])@(Model|T\(|Html|Url|await|if|foreach|ViewBag|ViewData|\{|\()/;
    var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
        var parent = node.parentElement;
        if (!parent || parent.closest('script, style')) continue;
        var text = node.nodeValue;
        if (text.indexOf(keyPrefix) >= 0) problems.push('raw resource key in text at ' + where(parent) + ': "' + snippet(text) + '"');
        if (razor.test(text)) problems.push('Razor leftover at ' + where(parent) + ': "' + snippet(text) + '"');
        if (text.indexOf('{{') >= 0 || text.indexOf('}}') >= 0) problems.push('template leftover at ' + where(parent) + ': "' + snippet(text) + '"');
        if (/\{\d+\}/.test(text)) problems.push('unfilled placeholder at ' + where(parent) + ': "' + snippet(text) + '"');
    }
    var shown = ['title', 'placeholder', 'alt', 'aria-label', 'data-original-title', 'label'];
    document.querySelectorAll('body *').forEach(function (el) {
        shown.forEach(function (name) {
            var value = el.getAttribute(name);
            if (value && value.indexOf(keyPrefix) >= 0) problems.push('raw resource key in ' + name + ' of ' + where(el) + ': "' + snippet(value) + '"');
        });
        if (el.tagName === 'INPUT' && el.type !== 'hidden' && el.value.indexOf(keyPrefix) >= 0)
            problems.push('raw resource key in the value of ' + where(el) + ': "' + snippet(el.value) + '"');
        if ((el.tagName === 'BUTTON' || el.tagName === 'A') && !el.textContent.trim() && !el.querySelector('i, img, svg'))
            problems.push('empty ' + (el.tagName === 'A' ? 'link' : 'button') + ' at ' + where(el));
        if (el.tagName.toLowerCase().indexOf('nop-') === 0) problems.push('unrendered <' + el.tagName.toLowerCase() + '> at ' + where(el));
    });
    // a page that needs the network breaks where the store has none (and leaks the admin's visit)
    document.querySelectorAll('script[src], link[href], img[src], iframe[src]').forEach(function (el) {
        var url = el.getAttribute('src') || el.getAttribute('href');
        if (/^(https?:)?\/\//i.test(url) && !(el.tagName === 'LINK' && !/stylesheet|icon|preload/i.test(el.rel)))
            problems.push('loads from the network: ' + where(el) + ' ' + url);
    });
    document.querySelectorAll('label').forEach(function (label) {
        if (!label.textContent.trim()) problems.push('empty label at ' + where(label) + (label.htmlFor ? ' (for ' + label.htmlFor + ')' : ''));
    });
    document.querySelectorAll('.viewrender-missing-render').forEach(function (el) {
        problems.push('grid column render function ' + el.dataset.function + ' is not defined (' + where(el.parentElement) + ')');
    });
    // layout: nothing wider than the viewport, no horizontal scrolling; hidden elements have no box
    var scrollWidth = document.documentElement.scrollWidth;
    if (scrollWidth > viewport) problems.push('the page scrolls sideways: document width ' + scrollWidth + ' px > viewport ' + viewport + ' px');
    var wide = [];
    document.querySelectorAll('body *').forEach(function (el) {
        var r = el.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) return;
        if (r.right > viewport + 1 || r.left < -1) wide.push(el);
    });
    // report the innermost offenders (an overflowing cell also widens its row and table)
    wide.filter(function (el) { return !wide.some(function (other) { return other !== el && el.contains(other); }); })
        .slice(0, 10)
        .forEach(function (el) {
            var r = el.getBoundingClientRect();
            problems.push('element beyond the ' + viewport + ' px viewport (' + Math.round(r.left) + '..' + Math.round(r.right) + ' px): ' + where(el) + ' "' + snippet(el.textContent || '') + '"');
        });
    return { width: scrollWidth, height: document.documentElement.scrollHeight, problems: problems };
})()
