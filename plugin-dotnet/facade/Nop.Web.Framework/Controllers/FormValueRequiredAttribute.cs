using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.ActionConstraints;
using Microsoft.AspNetCore.Routing;

namespace Nop.Web.Framework.Controllers;

public sealed class FormValueRequiredAttribute : ActionMethodSelectorAttribute
{
    public FormValueRequiredAttribute(params string[] submitButtonNames)
    {
    }

    public override bool IsValidForRequest(RouteContext routeContext, ActionDescriptor action) =>
        throw new NotImplementedException("compile-only nopCommerce facade");
}
