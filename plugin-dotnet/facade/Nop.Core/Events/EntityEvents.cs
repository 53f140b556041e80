namespace Nop.Core.Events;

// One file for the two entity events the plugin consumes; nopCommerce keeps one file each.

public partial class EntityInsertedEvent<T> where T : BaseEntity
{
    public EntityInsertedEvent(T entity) => Entity = entity;

    public T Entity { get; }
}

public partial class EntityUpdatedEvent<T> where T : BaseEntity
{
    public EntityUpdatedEvent(T entity) => Entity = entity;

    public T Entity { get; }
}
