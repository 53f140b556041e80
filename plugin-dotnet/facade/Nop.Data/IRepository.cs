using System.Linq.Expressions;
using Nop.Core;

namespace Nop.Data;

/// <summary>nopCommerce's repository (linq2db): only the members the plugin calls (the web farm hand-off).</summary>
public partial interface IRepository<TEntity> where TEntity : BaseEntity
{
    Task InsertAsync(TEntity entity, bool publishEvent = true);

    Task UpdateAsync(TEntity entity, bool publishEvent = true);

    Task<int> DeleteAsync(Expression<Func<TEntity, bool>> predicate);

    IQueryable<TEntity> Table { get; }
}
