// Loaded first in <body>, as a classic (blocking) script, before anything is drawn: marks the page
// as having JavaScript, as GOV.UK Frontend's template does with an inline script that the
// Content-Security-Policy does not allow (script-src 'self').
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '')
